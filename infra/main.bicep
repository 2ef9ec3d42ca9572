// ReviewHub, one resource group per environment: a Flex Consumption function app (.NET 10 isolated) with a
// user-assigned identity for every data-plane call (host storage, tables, queues, Key Vault, Application Insights
// ingestion), plus alerts and a workbook. This file names the resources, wires the modules together and lists the app
// settings; each module under modules/ owns one concern and the role assignments on its own resources. Local modules
// and no registry, so `bicep build` and `bicep lint` run offline in CI (scripts/checks/bicep.sh).

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
var namePrefix = '${appName}-${environmentName}'
var entraAuthority = '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
var sendGridSecretName = 'sendgrid-api-key'
// Signs email confirmation links; operators create it once per environment (README, Deploy).
var confirmationKeySecretName = 'email-confirmation-key'

// Names are fixed here, not taken from module outputs, so what-if can predict every resource. The modules that grant
// the identity its roles look it up by this name, hence their explicit dependsOn.
var identityName = 'id-${namePrefix}-${token}'

module identity 'modules/identity.bicep' = {
  params: {
    name: identityName
    location: location
  }
}

module storage 'modules/storage.bicep' = {
  params: {
    name: 'st${take(compactName, 11)}${environmentName == 'prod' ? 'p' : 'd'}${token}'
    location: location
    deploymentContainerName: 'app-package-${take(compactName, 32)}-${take(token, 7)}'
    identityName: identityName
  }
  dependsOn: [
    identity
  ]
}

module vault 'modules/key-vault.bicep' = {
  params: {
    name: 'kv-${take(compactName, 10)}-${token}'
    location: location
    purgeProtection: keyVaultPurgeProtection
    identityName: identityName
    secretAdministratorObjectIds: secretAdministratorObjectIds
  }
  dependsOn: [
    identity
  ]
}

module monitoring 'modules/monitoring.bicep' = {
  params: {
    namePrefix: namePrefix
    workspaceName: 'log-${namePrefix}-${token}'
    appInsightsName: 'appi-${namePrefix}-${token}'
    location: location
    retentionInDays: logRetentionInDays
    identityName: identityName
    alertEmailAddresses: alertEmailAddresses
    functionFailureThreshold: functionFailureThreshold
  }
  dependsOn: [
    identity
  ]
}

// Settings the host and the platform need: identity-based storage and telemetry. No keys anywhere.
var platformSettings = {
  AzureWebJobsStorage__accountName: storage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  AZURE_CLIENT_ID: identity.outputs.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
}

// Every setting the app code reads, one per line (tests/ReviewHub.Tests/Platform/InfrastructureTests.cs checks the list
// against the code). Adding a setting = one line here; a per-environment value goes in settingOverrides.
var appSettings = {
  Storage__Tables__endpoint: storage.outputs.tableEndpoint
  Storage__Queues__serviceUri: storage.outputs.queueEndpoint
  DurableTask__HubName: 'reviewhub${environmentName}'
  KeyVault__Uri: vault.outputs.uri
  Auth__Issuer: entraAuthority
  Auth__Authority: entraAuthority
  Auth__Audience: apiClientId
  Auth__OperatorRole: operatorRole
  Auth__ClockSkew: '00:02:00'
  Email__SendGridApiKey: '@Microsoft.KeyVault(VaultName=${vault.outputs.name};SecretName=${sendGridSecretName})'
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
  OutboundHttp__MaxRetryAfterWait: '00:00:05'
  OutboundHttp__MaxRetryAfterDeferral: '01:00:00'
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
  Replies__MaxDeferrals: '10'
  Replies__SendLease: '00:02:00'
  Replies__StaleQueuedAfter: '00:10:00'
  Replies__ModerationWindow: '12:00:00'
  Replies__ModerationCheckInterval: '00:20:00'
  Replies__ModerationParallelism: '4'
  Replies__ModerationMaxChecksPerRun: '2000'
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
  Reviews__MaxDeferrals: '10'
  Reviews__RetryBaseDelay: '00:01:00'
  Reviews__DefaultListLimit: '50'
}

module functionApp 'modules/function-app.bicep' = {
  params: {
    planName: 'plan-${namePrefix}-${token}'
    siteName: 'func-${namePrefix}-${token}'
    location: location
    identityName: identityName
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    maximumInstanceCount: maximumInstanceCount
    corsAllowedOrigins: corsAllowedOrigins
    appSettings: union(platformSettings, appSettings, settingOverrides)
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppUrl string = functionApp.outputs.url
output keyVaultName string = vault.outputs.name
output storageAccountName string = storage.outputs.name
output appInsightsName string = monitoring.outputs.appInsightsName
output durableTaskHubName string = appSettings.DurableTask__HubName
