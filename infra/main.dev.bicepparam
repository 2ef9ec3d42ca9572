using 'main.bicep'

// Development: a throwaway environment (no purge protection, small scale-out ceiling).
param environmentName = 'dev'
param apiClientId = '00000000-0000-0000-0000-000000000001' // replace with the dev API app registration's client id
param emailFromAddress = 'notifications-dev@reviewhub.example'
param integrationEmailDomain = 'integrations-dev.reviewhub.example'
param spaBaseUrl = 'https://dev.app.reviewhub.example'
param corsAllowedOrigins = [
  'https://dev.app.reviewhub.example'
  'http://localhost:5173'
]
param alertEmailAddresses = [
  'reviewhub-dev-alerts@reviewhub.example'
]
param maximumInstanceCount = 40
param keyVaultPurgeProtection = false
param functionFailureThreshold = 10
param settingOverrides = {}
