// The Flex Consumption plan and the function app (.NET 10 isolated, HTTPS only), running as the user-assigned identity
// and deployed from a blob container. The app settings come in whole from main.bicep, which lists them.

param planName string

param siteName string

param location string

@description('The site runs as this identity; it resolves Key Vault references and the package with it.')
param identityName string

@description('URL of the blob container the app package is deployed from.')
param deploymentContainerUrl string

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Origins of the single-page app allowed to call the API from a browser (CORS).')
param corsAllowedOrigins array

// This module's deployment waits for the modules whose outputs the settings use (storage, Key Vault, telemetry), so the
// identity holds its roles on them by the time the host starts with these settings.
@description('Every app setting: platform and app.')
param appSettings object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: siteName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: 2048
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: false
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
