// The "ReviewHub operations" workbook: one chart per question an operator asks, over the app's custom metrics
// (functions/Observability/ReviewHubMetrics.cs) in Application Insights.

param location string

@description('Prefix of resource names, e.g. reviewhub-prod.')
param namePrefix string

param appInsightsName string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// {TimeRange:grain} is the workbook's time-range parameter.
var charts = [
  {
    name: 'reviews-ingested'
    title: 'Reviews ingested, by source'
    query: '''
      customMetrics
      | where name == "reviewhub.reviews.ingested"
      | summarize reviews = sum(valueSum)
          by source = tostring(customDimensions["source"]), bin(timestamp, {TimeRange:grain})
      '''
  }
  {
    name: 'fetch-duration'
    title: 'Fetch duration (s), average and worst, by source'
    query: '''
      customMetrics
      | where name == "reviewhub.fetch.duration"
      | extend source = tostring(customDimensions["source"])
      | summarize average = sum(valueSum) / sum(valueCount), worst = max(valueMax)
          by source, bin(timestamp, {TimeRange:grain})
      '''
  }
  {
    name: 'deliveries'
    title: 'Deliveries, by channel and outcome'
    query: '''
      customMetrics
      | where name in ("reviewhub.deliveries", "reviewhub.routes.broken")
      | extend outcome = iff(name == "reviewhub.routes.broken", "route broken", tostring(customDimensions["outcome"]))
      | summarize deliveries = sum(valueSum)
          by series = strcat(tostring(customDimensions["channel"]), " / ", outcome), bin(timestamp, {TimeRange:grain})
      '''
  }
  {
    name: 'replies'
    title: 'Replies, by state entered (Overdue: newly flagged; Requeued: lost messages sent again)'
    query: '''
      customMetrics
      | where name in ("reviewhub.replies", "reviewhub.replies.overdue", "reviewhub.replies.requeued")
      | extend state = case(name == "reviewhub.replies.overdue", "Overdue",
          name == "reviewhub.replies.requeued", "Requeued",
          tostring(customDimensions["state"]))
      | summarize replies = sum(valueSum) by state, bin(timestamp, {TimeRange:grain})
      '''
  }
  {
    name: 'replies-overdue-pending'
    title: 'Replies pending past the moderation window'
    query: '''
      customMetrics
      | where name == "reviewhub.replies.overdue.pending"
      | summarize overdue = max(valueMax) by bin(timestamp, {TimeRange:grain})
      '''
  }
  {
    name: 'integrations'
    title: 'Integrations, by state entered (and failed activation steps)'
    query: '''
      customMetrics
      | where name in ("reviewhub.integrations", "reviewhub.integrations.activation_failures")
      | extend state = iff(name == "reviewhub.integrations", tostring(customDimensions["state"]),
          strcat("activation failed: ", tostring(customDimensions["step"])))
      | summarize integrations = sum(valueSum) by state, bin(timestamp, {TimeRange:grain})
      '''
  }
  {
    name: 'asc-rate-limit'
    title: 'App Store Connect rate-limit headroom (requests left in the tightest key\'s hour)'
    query: '''
      customMetrics
      | where name == "reviewhub.asc.rate_limit.remaining"
      | summarize lowest = min(valueMin), average = sum(valueSum) / sum(valueCount) by bin(timestamp, {TimeRange:grain})
      '''
  }
  {
    name: 'poison-messages'
    title: 'Messages waiting in poison queues'
    query: '''
      customMetrics
      | where name == "reviewhub.queue.poison_messages"
      | summarize waiting = max(valueMax)
          by queue = tostring(customDimensions["queue"]), bin(timestamp, {TimeRange:grain})
      '''
  }
  {
    name: 'function-failures'
    title: 'Function failures, by function'
    query: '''
      requests
      | where success == false
      | summarize failures = count() by name, bin(timestamp, {TimeRange:grain})
      '''
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
          json: join([
            '## ReviewHub operations'
            'Custom metrics from the app (meter "ReviewHub"). Alerts and what to do: docs/operations.md.'
          ], '\n')
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
