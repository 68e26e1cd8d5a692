"""The Metadata API of the local org: SOAP calls at /services/Soap/m/NN.0 (deploy, checkDeployStatus,
cancelDeploy, retrieve, checkRetrieveStatus, listMetadata, describeMetadata) for PermissionSet, Profile,
PermissionSetGroup and MutingPermissionSet, written to the store through the same rules as REST.

https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_intro.htm
"""
