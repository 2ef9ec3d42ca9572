// Key Vault (RBAC): customer secrets the app writes (App Store Connect keys, channel tokens) and the SendGrid key.

param name string

param location string

@description('Purge protection (cannot be turned off once on).')
param purgeProtection bool

@description('The app\'s identity: gets Key Vault Secrets Officer (it sets and deletes customer secrets).')
param identityName string

@description('Object ids (users or groups) that also get Key Vault Secrets Officer, e.g. to set the SendGrid key.')
param secretAdministratorObjectIds array

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

// Secrets Officer is the narrowest built-in role that allows set and delete (Secrets User only reads).
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: purgeProtection ? true : null
  }
}

resource appRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource secretAdministratorRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for objectId in secretAdministratorObjectIds: {
    name: guid(vault.id, objectId, keyVaultSecretsOfficer)
    scope: vault
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
      principalId: objectId
    }
  }
]

output name string = vault.name
output uri string = vault.properties.vaultUri
