using 'main.bicep'

param environmentName = 'prod'
param apiClientId = '00000000-0000-0000-0000-000000000002' // replace with the prod API app registration's client id
param emailFromAddress = 'notifications@reviewhub.example'
param integrationEmailDomain = 'integrations.reviewhub.example'
param spaBaseUrl = 'https://app.reviewhub.example'
param corsAllowedOrigins = [
  'https://app.reviewhub.example'
]
param alertEmailAddresses = [
  'reviewhub-oncall@reviewhub.example'
]
param maximumInstanceCount = 100
param keyVaultPurgeProtection = true
param logRetentionInDays = 90
param functionFailureThreshold = 5
param settingOverrides = {}
