// Monitoring: Log Analytics and Application Insights with local (key) authentication off — the app sends telemetry
// with the identity, which gets Monitoring Metrics Publisher here — and over them the alerts (alerts.bicep) and the
// operations workbook (workbook.bicep).

@description('Prefix of resource names, e.g. reviewhub-prod.')
param namePrefix string

param workspaceName string

param appInsightsName string

param location string

@minValue(30)
@maxValue(730)
param retentionInDays int

@description('The app\'s identity: gets Monitoring Metrics Publisher (Entra ID telemetry ingestion).')
param identityName string

@description('Where alert notifications go.')
param alertEmailAddresses array

@description('Function failures in 15 minutes (per function) that raise an alert.')
@minValue(1)
param functionFailureThreshold int

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource logs 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: workspaceName
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

resource metricsPublisherRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

module alerts 'alerts.bicep' = {
  params: {
    location: location
    namePrefix: namePrefix
    appInsightsName: appInsights.name
    alertEmailAddresses: alertEmailAddresses
    functionFailureThreshold: functionFailureThreshold
  }
}

module workbook 'workbook.bicep' = {
  params: {
    location: location
    namePrefix: namePrefix
    appInsightsName: appInsights.name
  }
}

output appInsightsName string = appInsights.name
@description('Not a secret: with local authentication off, ingestion needs an Entra ID token as well.')
output connectionString string = appInsights.properties.ConnectionString
