using System.Text.Json;

namespace ReviewHub.Tests.Platform;

/// <summary>The host contract as the build wrote it (functions.metadata), checked without the Functions host.</summary>
public sealed class HostContractTests
{
    /// <summary>Every function: trigger, HTTP methods and route, queue name, or timer schedule. Adding or changing one
    /// updates this table.</summary>
    private static readonly string[] Expected =
    [
        "ActivateIntegration activity",
        "AddAccountMember http POST accounts/{accountId}/members",
        "CancelIntegration http POST accounts/{accountId}/apps/{appId}/integration/cancel",
        "CheckIntegration activity",
        "CheckIntegrationHealth queue integration-health-checks",
        "ConfirmEmail http POST email-confirmations/{token}",
        "ConfirmIntegration http POST accounts/{accountId}/apps/{appId}/integration/confirm",
        "CreateAccount http POST accounts",
        "CreateRoute http POST accounts/{accountId}/apps/{appId}/routes",
        "DeleteReply http DELETE accounts/{accountId}/apps/{appId}/reviews/{reviewId}/reply",
        "DisconnectIntegration http DELETE accounts/{accountId}/apps/{appId}/integration",
        "DeleteRoute http DELETE accounts/{accountId}/apps/{appId}/routes/{routeId}",
        "DeliverToRoute queue deliveries",
        "EmailIntegrationOwner activity",
        "EnqueueDueReviewFetches timer %ReviewFetchSchedule%",
        "FailIntegration activity",
        "FanOutNewReviews queue new-reviews",
        "FetchReviews queue review-fetches",
        "GetAccount http GET accounts/{accountId}",
        "GetApp http GET accounts/{accountId}/apps/{appId}",
        "GetIntegrationCard http GET accounts/{accountId}/apps/{appId}/integration",
        "GetIntegrationEvents http GET accounts/{accountId}/apps/{appId}/integration/events",
        "GetIntegrationStatus http GET accounts/{accountId}/apps/{appId}/integration/status",
        "GetOpenApiDocument http GET openapi.yaml",
        "GetReply http GET accounts/{accountId}/apps/{appId}/reviews/{reviewId}/reply",
        "GetReplyHistory http GET accounts/{accountId}/apps/{appId}/reviews/{reviewId}/reply/history",
        "GetReview http GET accounts/{accountId}/apps/{appId}/reviews/{reviewId}",
        "GetReviewFetchStatus http GET accounts/{accountId}/apps/{appId}/review-fetch",
        "Health http GET health",
        "IntegrationSetup orchestration",
        "ListAccounts http GET accounts",
        "ListApps http GET accounts/{accountId}/apps",
        "ListEmailConfirmations http GET accounts/{accountId}/email-confirmations",
        "ListReviews http GET accounts/{accountId}/apps/{appId}/reviews",
        "ListRoutes http GET accounts/{accountId}/apps/{appId}/routes",
        "MeasurePoisonQueues timer 0 */5 * * * *",
        "NotifyIntegrationRolesUpdated http POST accounts/{accountId}/apps/{appId}/integration/roles-updated",
        "PurgeRemovedApp queue app-removals",
        "PutReply http PUT accounts/{accountId}/apps/{appId}/reviews/{reviewId}/reply",
        "RecordIntegrationCancelled activity",
        "RegisterApp http POST accounts/{accountId}/apps",
        "RegisterIntegrationCredential http POST accounts/{accountId}/apps/{appId}/integration/credential",
        "RemoveAccountMember http DELETE accounts/{accountId}/members/{userId}",
        "RemoveApp http DELETE accounts/{accountId}/apps/{appId}",
        "ReportIntegrationFixed http POST accounts/{accountId}/apps/{appId}/integration/fixed",
        "ReplayPoisonMessages http POST operators/poison/{queue}/replay",
        "ResendEmailConfirmation http POST accounts/{accountId}/email-confirmations",
        "SendEmailConfirmation queue email-confirmations",
        "SendReply queue reply-sends",
        "SendRouteTestMessage http POST accounts/{accountId}/apps/{appId}/routes/{routeId}/test",
        "ShowEmailConfirmation http GET email-confirmations/{token}",
        "TrackReplyModeration timer 0 */5 * * * *",
        "TransferAccountOwnership http POST accounts/{accountId}/owner",
        "UpdateAccount http PATCH accounts/{accountId}",
        "UpdateApp http PATCH accounts/{accountId}/apps/{appId}",
        "UpdateRoute http PATCH accounts/{accountId}/apps/{appId}/routes/{routeId}",
        "ChangeAccountMemberRole http PUT accounts/{accountId}/members/{userId}/role",
        "ListReplyTemplates http GET accounts/{accountId}/reply-templates",
        "CreateReplyTemplate http POST accounts/{accountId}/reply-templates",
        "GetReplyTemplate http GET accounts/{accountId}/reply-templates/{templateId}",
        "UpdateReplyTemplate http PUT accounts/{accountId}/reply-templates/{templateId}",
        "DeleteReplyTemplate http DELETE accounts/{accountId}/reply-templates/{templateId}",
        "PreviewReplyTemplate http POST accounts/{accountId}/reply-templates/{templateId}/preview",
        "ListReplyRules http GET accounts/{accountId}/apps/{appId}/reply-rules",
        "CreateReplyRule http POST accounts/{accountId}/apps/{appId}/reply-rules",
        "UpdateReplyRule http PUT accounts/{accountId}/apps/{appId}/reply-rules/{ruleId}",
        "DeleteReplyRule http DELETE accounts/{accountId}/apps/{appId}/reply-rules/{ruleId}",
        "ListReplyRuleChanges http GET accounts/{accountId}/apps/{appId}/reply-rules/changes",
        "ApplyReplyRules http POST accounts/{accountId}/apps/{appId}/reply-rules/apply",
        "GetReplyAutomation http GET accounts/{accountId}/apps/{appId}/reply-automation",
        "UpdateReplyAutomation http PUT accounts/{accountId}/apps/{appId}/reply-automation",
        "ListReplyDrafts http GET accounts/{accountId}/apps/{appId}/reply-drafts",
        "ApproveReplyDraft http POST accounts/{accountId}/apps/{appId}/reply-drafts/{reviewId}/approve",
        "RejectReplyDraft http POST accounts/{accountId}/apps/{appId}/reply-drafts/{reviewId}/reject",
        "RunReplyRules queue reply-automation",
        "ReceiveSlackInteraction http POST slack/interactivity",
        "LinkSlackUser http POST slack-links",
        "UpdateSlackMessages queue slack-message-updates",
    ];

    [Fact]
    public void The_build_declares_exactly_the_expected_functions()
    {
        var actual = FunctionMetadata.All.Select(Describe).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Expected.Order(StringComparer.Ordinal), actual);
    }

    [Fact]
    public void Http_functions_are_anonymous_at_the_host_because_the_worker_middleware_authenticates()
    {
        // A function key would stop the SPA's bearer-token calls before our middleware sees them.
        Assert.All(FunctionMetadata.Http, f => Assert.Equal("Anonymous", f.Trigger.AuthLevel, ignoreCase: true));
    }

    [Fact]
    public void Queue_triggers_bind_to_the_host_storage_connection_and_known_queues()
    {
        Assert.All(FunctionMetadata.All.Where(f => f.Trigger.Type == "queueTrigger"), f =>
        {
            Assert.Contains(f.Trigger.QueueName, ReviewHub.Storage.QueueNames.All);
            Assert.True(f.Trigger.Connection is null or "AzureWebJobsStorage", f.Name);
        });
    }

    [Fact]
    public void Host_json_keeps_base64_queue_messages_and_api_route_prefix()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.FunctionAppOutput,
            "host.json")));
        var extensions = hostJson.RootElement.GetProperty("extensions");
        Assert.Equal("base64", extensions.GetProperty("queues").GetProperty("messageEncoding").GetString());
        Assert.Equal("api", extensions.GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Equal("2.0", hostJson.RootElement.GetProperty("version").GetString());
    }

    private static string Describe(FunctionDescription function)
    {
        var trigger = function.Trigger;
        return trigger.Type switch
        {
            "httpTrigger" => $"{function.Name} http " +
                $"{string.Join(',', trigger.Methods!.Select(m => m.ToUpperInvariant()))} {trigger.Route}",
            "queueTrigger" => $"{function.Name} queue {trigger.QueueName}",
            "timerTrigger" => $"{function.Name} timer {trigger.Schedule}",
            "orchestrationTrigger" => $"{function.Name} orchestration",
            "activityTrigger" => $"{function.Name} activity",
            _ => $"{function.Name} {trigger.Type}",
        };
    }
}
