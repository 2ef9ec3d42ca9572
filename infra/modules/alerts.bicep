// The alerts: one log alert per operational signal over Application Insights, mailed to an action group. Custom metrics
// come from functions/Observability/ReviewHubMetrics.cs (OpenTelemetry → customMetrics); docs/operations.md says what
// each alert means and what to do.

param location string

@description('Prefix of resource names, e.g. reviewhub-prod.')
param namePrefix string

param appInsightsName string

param alertEmailAddresses array

@minValue(1)
param functionFailureThreshold int

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  properties: {
    groupShortName: take(replace(namePrefix, '-', ''), 12)
    enabled: true
    emailReceivers: [
      for (address, i) in alertEmailAddresses: {
        name: 'email-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

// `dimension` splits an alert per queue or function so the notification names it ('' for one alert overall).
var alerts = [
  {
    name: 'poison-messages'
    displayName: 'ReviewHub: messages in a poison queue'
    description: 'A message failed 5 times and is in a poison queue (docs/operations.md, "Replaying poison messages").'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: '''
      customMetrics
      | where name == "reviewhub.queue.poison_messages"
      | extend queue = tostring(customDimensions["queue"])
      | summarize waiting = max(valueMax) by queue
      '''
    measure: 'waiting'
    aggregation: 'Maximum'
    dimension: 'queue'
    threshold: 0
  }
  {
    name: 'function-failures'
    displayName: 'ReviewHub: function failures'
    description: 'A function failed repeatedly in 15 minutes: open its failures blade (the alert names the function).'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: '''
      requests
      | where success == false
      | summarize failures = count() by functionName = tostring(name)
      '''
    measure: 'failures'
    aggregation: 'Total'
    dimension: 'functionName'
    threshold: functionFailureThreshold - 1
  }
  {
    name: 'failed-orchestrations'
    displayName: 'ReviewHub: failed orchestrations'
    description: 'Integration setup failed (instance id in the alert): docs/operations.md, "Finding an orchestration".'
    severity: 2
    frequency: 'PT15M'
    window: 'PT15M'
    // The Durable extension logs "{instanceId}: Function '{name} (Orchestrator)' failed with an error..."; depending on
    // the exporter the message is formatted or the template with its values in customDimensions (with or without
    // "prop__").
    query: '''
      traces
      | where message has "failed with an error"
      | extend functionType = tostring(coalesce(customDimensions["functionType"],
          customDimensions["prop__functionType"]))
      | extend instanceId = tostring(coalesce(customDimensions["instanceId"], customDimensions["prop__instanceId"],
          split(message, ":")[0]))
      | where functionType == "Orchestrator" or message has "(Orchestrator)"
      | summarize failed = count() by instanceId
      '''
    measure: 'failed'
    aggregation: 'Total'
    dimension: 'instanceId'
    threshold: 0
  }
  {
    name: 'operators-late'
    displayName: 'ReviewHub: connections waiting on operators'
    description: 'A connection waits on operators longer than allowed: GET /api/operators/connections/waiting.'
    severity: 2
    frequency: 'PT15M'
    window: 'PT30M'
    query: '''
      customMetrics
      | where name == "reviewhub.integrations.operators_overdue"
      | summarize overdue = max(valueMax)
      '''
    measure: 'overdue'
    aggregation: 'Maximum'
    dimension: ''
    threshold: 0
  }
  {
    name: 'overdue-replies'
    displayName: 'ReviewHub: replies overdue'
    description: 'Replies are not published past the promised moderation window (counted by every moderation check).'
    severity: 3
    frequency: 'PT1H'
    window: 'PT1H'
    query: '''
      customMetrics
      | where name == "reviewhub.replies.overdue.pending"
      | summarize overdue = max(valueMax)
      '''
    measure: 'overdue'
    aggregation: 'Maximum'
    dimension: ''
    threshold: 0
  }
]

resource logAlerts 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for alert in alerts: {
    name: 'alert-${namePrefix}-${alert.name}'
    location: location
    properties: {
      displayName: alert.displayName
      description: alert.description
      severity: alert.severity
      enabled: true
      evaluationFrequency: alert.frequency
      windowSize: alert.window
      scopes: [
        appInsights.id
      ]
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: alert.aggregation
            metricMeasureColumn: alert.measure
            operator: 'GreaterThan'
            threshold: alert.threshold
            dimensions: empty(alert.dimension)
              ? []
              : [
                  {
                    name: alert.dimension
                    operator: 'Include'
                    values: [
                      '*'
                    ]
                  }
                ]
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]
