"""The admin's setup guide: its layout (model) and its Markdown and HTML renderings."""
