// The app's only credential: a user-assigned managed identity. Every data-plane call (host storage, tables, queues,
// Key Vault, Application Insights ingestion) uses it; the modules that own those resources look it up by name and grant
// it their roles, and main.bicep puts its client id into the settings.

param name string

param location string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
}

output clientId string = identity.properties.clientId
