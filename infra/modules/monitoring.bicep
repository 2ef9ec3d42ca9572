// Alerts and the operations workbook over Application Insights. Custom metrics come from functions/Observability/ReviewHubMetrics.cs
// (OpenTelemetry → customMetrics); docs/operations.md says what each alert means and what to do.

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

// One log alert per operational signal; `dimensions` split an alert per queue or function so the notification names it.
var alerts = [
  {
    name: 'poison-messages'
    displayName: 'ReviewHub: messages in a poison queue'
    description: 'A queue message failed 5 times and waits in a poison queue. See docs/operations.md, "Replaying poison messages".'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: 'customMetrics | where name == "reviewhub.queue.poison_messages" | extend queue = tostring(customDimensions["queue"]) | summarize waiting = max(valueMax) by queue'
    measure: 'waiting'
    aggregation: 'Maximum'
    dimension: 'queue'
    threshold: 0
  }
  {
    name: 'function-failures'
    displayName: 'ReviewHub: function failures'
    description: 'A function failed repeatedly in 15 minutes. Open the failures blade filtered on the function named in the alert.'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: 'requests | where success == false | summarize failures = count() by functionName = tostring(name)'
    measure: 'failures'
    aggregation: 'Total'
    dimension: 'functionName'
    threshold: functionFailureThreshold - 1
  }
  {
    name: 'failed-orchestrations'
    displayName: 'ReviewHub: failed orchestrations'
    description: 'A Durable orchestration (integration setup) ended Failed. The alert carries the instance id; see docs/operations.md, "Finding an orchestration".'
    severity: 2
    frequency: 'PT15M'
    window: 'PT15M'
    // The Durable extension logs "{instanceId}: Function '{name} (Orchestrator)' failed with an error..."; depending on the
    // exporter the message is formatted or the template with its values in customDimensions (with or without "prop__").
    query: 'traces | where message has "failed with an error" | extend functionType = tostring(coalesce(customDimensions["functionType"], customDimensions["prop__functionType"])), instanceId = tostring(coalesce(customDimensions["instanceId"], customDimensions["prop__instanceId"], split(message, ":")[0])) | where functionType == "Orchestrator" or message has "(Orchestrator)" | summarize failed = count() by instanceId'
    measure: 'failed'
    aggregation: 'Total'
    dimension: 'instanceId'
    threshold: 0
  }
  {
    name: 'overdue-replies'
    displayName: 'ReviewHub: replies overdue'
    description: 'Replies are still not published past the promised moderation window (counted by every moderation check).'
    severity: 3
    frequency: 'PT1H'
    window: 'PT1H'
    query: 'customMetrics | where name == "reviewhub.replies.overdue.pending" | summarize overdue = max(valueMax)'
    measure: 'overdue'
    aggregation: 'Maximum'
    dimension: ''
    threshold: 0
  }
]

resource logAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
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

// The workbook: one chart per question an operator asks. {TimeRange:grain} is the workbook's time-range parameter.
var charts = [
  {
    name: 'reviews-ingested'
    title: 'Reviews ingested, by source'
    query: 'customMetrics | where name == "reviewhub.reviews.ingested" | summarize reviews = sum(valueSum) by source = tostring(customDimensions["source"]), bin(timestamp, {TimeRange:grain})'
  }
  {
    name: 'fetch-duration'
    title: 'Fetch duration (s), average and worst, by source'
    query: 'customMetrics | where name == "reviewhub.fetch.duration" | extend source = tostring(customDimensions["source"]) | summarize average = sum(valueSum) / sum(valueCount), worst = max(valueMax) by source, bin(timestamp, {TimeRange:grain})'
  }
  {
    name: 'deliveries'
    title: 'Deliveries, by channel and outcome'
    query: 'customMetrics | where name in ("reviewhub.deliveries", "reviewhub.routes.broken") | extend outcome = iff(name == "reviewhub.routes.broken", "route broken", tostring(customDimensions["outcome"])) | summarize deliveries = sum(valueSum) by series = strcat(tostring(customDimensions["channel"]), " / ", outcome), bin(timestamp, {TimeRange:grain})'
  }
  {
    name: 'replies'
    title: 'Replies, by state entered (Overdue: newly flagged; Requeued: lost messages sent again)'
    query: 'customMetrics | where name in ("reviewhub.replies", "reviewhub.replies.overdue", "reviewhub.replies.requeued") | extend state = case(name == "reviewhub.replies.overdue", "Overdue", name == "reviewhub.replies.requeued", "Requeued", tostring(customDimensions["state"])) | summarize replies = sum(valueSum) by state, bin(timestamp, {TimeRange:grain})'
  }
  {
    name: 'replies-overdue-pending'
    title: 'Replies pending past the moderation window'
    query: 'customMetrics | where name == "reviewhub.replies.overdue.pending" | summarize overdue = max(valueMax) by bin(timestamp, {TimeRange:grain})'
  }
  {
    name: 'integrations'
    title: 'Integrations, by state entered (and failed activation steps)'
    query: join([
      'customMetrics | where name in ("reviewhub.integrations", "reviewhub.integrations.activation_failures")'
      '| extend state = iff(name == "reviewhub.integrations", tostring(customDimensions["state"]),'
      'strcat("activation failed: ", tostring(customDimensions["step"])))'
      '| summarize integrations = sum(valueSum) by state, bin(timestamp, {TimeRange:grain})'
    ], ' ')
  }
  {
    name: 'asc-rate-limit'
    title: 'App Store Connect rate-limit headroom (requests left in the tightest key\'s hour)'
    query: 'customMetrics | where name == "reviewhub.asc.rate_limit.remaining" | summarize lowest = min(valueMin), average = sum(valueSum) / sum(valueCount) by bin(timestamp, {TimeRange:grain})'
  }
  {
    name: 'poison-messages'
    title: 'Messages waiting in poison queues'
    query: 'customMetrics | where name == "reviewhub.queue.poison_messages" | summarize waiting = max(valueMax) by queue = tostring(customDimensions["queue"]), bin(timestamp, {TimeRange:grain})'
  }
  {
    name: 'function-failures'
    title: 'Function failures, by function'
    query: 'requests | where success == false | summarize failures = count() by name, bin(timestamp, {TimeRange:grain})'
  }
]

var workbookContent = {
  version: 'Notebook/1.0'
  items: concat(
    [
      {
        type: 1
        name: 'title'
        content: {
          json: '## ReviewHub operations\nCustom metrics from the app (meter "ReviewHub"). Alerts and what to do: docs/operations.md.'
        }
      }
      {
        type: 9
        name: 'parameters'
        content: {
          version: 'KqlParameterItem/1.0'
          parameters: [
            {
              id: 'd6f3e1c2-5b7a-4f0e-9c1d-2a3b4c5d6e7f'
              version: 'KqlParameterItem/1.0'
              name: 'TimeRange'
              type: 4
              isRequired: true
              value: {
                durationMs: 86400000
              }
              typeSettings: {
                selectableValues: [
                  {
                    durationMs: 3600000
                  }
                  {
                    durationMs: 86400000
                  }
                  {
                    durationMs: 604800000
                  }
                  {
                    durationMs: 2592000000
                  }
                ]
              }
            }
          ]
        }
      }
    ],
    map(charts, chart => {
      type: 3
      name: chart.name
      content: {
        version: 'KqlItem/1.0'
        title: chart.title
        query: chart.query
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
    })
  )
  fallbackResourceIds: [
    appInsights.id
  ]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, namePrefix, 'reviewhub-operations')
  location: location
  kind: 'shared'
  properties: {
    displayName: 'ReviewHub operations (${namePrefix})'
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: string(workbookContent)
  }
}

output workbookId string = workbook.id
