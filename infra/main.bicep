// ReviewHub: Flex Consumption function app (.NET 10 isolated) with a user-assigned identity for every data-plane call
// (host storage, tables, queues, Key Vault, Application Insights ingestion), plus alerts and a workbook (modules/monitoring.bicep).
// Raw resources only, so `bicep build` and `bicep lint` run offline in CI.

targetScope = 'resourceGroup'

@description('Short product name used in resource names (letters and digits; storage account names allow 24 characters).')
@minLength(3)
@maxLength(11)
param appName string = 'reviewhub'

@description('Deployment environment; also names the Durable Functions task hub.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

param location string = resourceGroup().location

@description('Entra ID tenant that issues the SPA\'s access tokens.')
param authTenantId string = tenant().tenantId

@description('Application (client) id of the API app registration: the `aud` of Entra ID v2 access tokens.')
@minLength(1)
param apiClientId string

@description('Value of the `roles` claim that grants the operator endpoints (an app role of the API registration).')
param operatorRole string = 'ReviewHub.Operator'

@description('Verified SendGrid sender of owner emails.')
param emailFromAddress string

param emailFromName string = 'ReviewHub'

@description('Domain of the per-account integration emails customers invite in App Store Connect; its mailboxes reach the operators.')
param integrationEmailDomain string

@description('IANA time zone whose calendar decides working days for the 3-working-day setup deadline.')
param businessTimeZone string = 'Europe/London'

@description('Comma-separated non-working dates (yyyy-MM-dd) in the business time zone.')
param businessHolidays string = ''

@description('Base URL of the single-page app; review links in Slack, email and Zendesk point there.')
param spaBaseUrl string

@description('Origins of the single-page app allowed to call the API from a browser (CORS).')
param corsAllowedOrigins array

@description('Where alert notifications go.')
param alertEmailAddresses array

@description('Object ids (users or groups) allowed to manage Key Vault secrets, e.g. to set the SendGrid key.')
param secretAdministratorObjectIds array = []

@description('Flex Consumption scale-out ceiling.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Key Vault purge protection (cannot be turned off once on; leave off for throwaway environments).')
param keyVaultPurgeProtection bool = true

@description('Log Analytics retention in days.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Function failures in 15 minutes (per function) that raise an alert.')
@minValue(1)
param functionFailureThreshold int = 5

@description('App settings that override the defaults below for one environment, e.g. { Email__SendGridBaseUrl: \'...\' }.')
param settingOverrides object = {}

var token = take(uniqueString(resourceGroup().id, appName, environmentName), 8)
var compactName = toLower(replace(appName, '-', ''))
var deploymentContainer = 'app-package-${take(compactName, 32)}-${take(token, 7)}'
var entraAuthority = '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
var sendGridSecretName = 'sendgrid-api-key'
// Signs email confirmation links; operators create it once per environment (README, Deploy).
var confirmationKeySecretName = 'email-confirmation-key'

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // The app writes and deletes customer secrets (App Store Connect keys, channel tokens) and reads the SendGrid key;
  // Secrets Officer is the narrowest built-in role that allows set and delete (Secrets User only reads).
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${appName}-${environmentName}-${token}'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: 'st${take(compactName, 11)}${environmentName == 'prod' ? 'p' : 'd'}${token}'
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }

  resource blob 'blobServices' = {
    name: 'default'

    resource packages 'containers' = {
      name: deploymentContainer
    }
  }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: 'log-${appName}-${environmentName}-${token}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${appName}-${environmentName}-${token}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: 'kv-${take(compactName, 10)}-${token}'
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
    enablePurgeProtection: keyVaultPurgeProtection ? true : null
  }
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: 'plan-${appName}-${environmentName}-${token}'
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

// Settings the host and the platform need: identity-based storage and telemetry. No keys anywhere.
var platformSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  AZURE_CLIENT_ID: identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
}

// Every setting the app code reads, one per line (tests/ReviewHub.Tests/Platform/InfrastructureTests.cs checks the list
// against the code). Adding a setting = one line here; a per-environment value goes in settingOverrides.
var appSettings = {
  Storage__Tables__endpoint: storage.properties.primaryEndpoints.table
  Storage__Queues__serviceUri: storage.properties.primaryEndpoints.queue
  DurableTask__HubName: 'reviewhub${environmentName}'
  KeyVault__Uri: vault.properties.vaultUri
  Auth__Issuer: entraAuthority
  Auth__Authority: entraAuthority
  Auth__Audience: apiClientId
  Auth__OperatorRole: operatorRole
  Auth__ClockSkew: '00:02:00'
  Email__SendGridApiKey: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${sendGridSecretName})'
  Email__SendGridBaseUrl: 'https://api.sendgrid.com'
  Email__FromAddress: emailFromAddress
  Email__FromName: emailFromName
  Email__Timeout: '00:00:10'
  EmailConfirmation__SigningKey: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${confirmationKeySecretName})'
  EmailConfirmation__LinkBaseUrl: 'https://${site.properties.defaultHostName}/api'
  EmailConfirmation__LinkLifetime: '3.00:00:00'
  EmailConfirmation__ResendInterval: '00:10:00'
  EmailConfirmation__MaxEmailsPerAccountPerDay: '50'
  Limits__AppsPerAccount: '50'
  Limits__RoutesPerApp: '20'
  Limits__TerritoriesPerApp: '50'
  Limits__MembersPerAccount: '100'
  AppStoreConnect__BaseUrl: 'https://api.appstoreconnect.apple.com'
  AppStoreConnect__TokenLifetime: '00:19:00'
  AppStoreConnect__Timeout: '00:00:20'
  OutboundHttp__MaxRetryAttempts: '3'
  OutboundHttp__RetryBaseDelay: '00:00:00.5'
  Integrations__EmailDomain: integrationEmailDomain
  Integrations__InviteeFirstName: 'ReviewHub'
  Integrations__InviteeLastName: 'Connect'
  Integrations__WorkingDays: '3'
  Integrations__BusinessTimeZone: businessTimeZone
  Integrations__Holidays: businessHolidays
  Integrations__PollInterval: '00:30:00'
  Integrations__ActivityMaxAttempts: '5'
  Integrations__ActivityFirstRetryInterval: '00:00:30'
  Replies__MaxSendAttempts: '5'
  Replies__RetryBaseDelay: '00:00:30'
  Replies__RetryMaxDelay: '00:15:00'
  Replies__SendLease: '00:02:00'
  Replies__StaleQueuedAfter: '00:10:00'
  Replies__ModerationWindow: '12:00:00'
  Replies__ModerationCheckInterval: '00:20:00'
  Replies__ModerationParallelism: '4'
  Delivery__SpaBaseUrl: spaBaseUrl
  Delivery__SlackApiBaseUrl: 'https://slack.com/api/'
  Delivery__ZendeskBaseUrlTemplate: 'https://{subdomain}.zendesk.com/'
  Delivery__DigestThreshold: '5'
  Delivery__SlackMessageInterval: '00:00:01'
  Delivery__ClaimLease: '00:02:00'
  Delivery__ChannelTimeout: '00:00:15'
  Delivery__MaxDeferrals: '10'
  Delivery__AllowInsecureWebhooks: 'false'
  Delivery__TestMessagesPerRoute: '5'
  Delivery__TestMessagesPerAccount: '30'
  Delivery__TestMessageWindow: '01:00:00'
  ReviewFetchSchedule: '0 */5 * * * *'
  Reviews__FeedInterval: '06:00:00'
  Reviews__ApiInterval: '01:00:00'
  Reviews__MaxEnqueuesPerRun: '5000'
  Reviews__FeedBaseUrl: 'https://itunes.apple.com'
  Reviews__FeedRequestDelay: '00:00:01'
  Reviews__FeedTimeout: '00:00:15'
  Reviews__ApiPageSize: '200'
  Reviews__ApiBudgetReserve: '50'
  Reviews__BackfillBudgetReserve: '500'
  Reviews__BudgetWaitDelay: '00:10:00'
  Reviews__MaxFetchAttempts: '6'
  Reviews__RetryBaseDelay: '00:01:00'
  Reviews__DefaultListLimit: '50'
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: 'func-${appName}-${environmentName}-${token}'
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
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
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
    properties: union(platformSettings, appSettings, settingOverrides)
    // The host reaches storage and Key Vault with the identity as soon as the settings land.
    dependsOn: [
      storageRoleAssignments
      vaultRoleAssignment
      metricsPublisherRoleAssignment
    ]
  }
}

var storageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in storageRoles: {
    name: guid(storage.id, identity.id, role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource metricsPublisherRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vaultRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource secretAdministratorRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for objectId in secretAdministratorObjectIds: {
    name: guid(vault.id, objectId, roles.keyVaultSecretsOfficer)
    scope: vault
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
      principalId: objectId
    }
  }
]

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring-${environmentName}'
  params: {
    location: location
    namePrefix: '${appName}-${environmentName}'
    appInsightsName: appInsights.name
    alertEmailAddresses: alertEmailAddresses
    functionFailureThreshold: functionFailureThreshold
  }
}

output functionAppName string = site.name
output functionAppUrl string = 'https://${site.properties.defaultHostName}'
output keyVaultName string = vault.name
output storageAccountName string = storage.name
output appInsightsName string = appInsights.name
output durableTaskHubName string = appSettings.DurableTask__HubName
