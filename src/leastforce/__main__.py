from leastforce.cli import main

main()
