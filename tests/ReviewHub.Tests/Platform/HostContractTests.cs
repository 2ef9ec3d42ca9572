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
        "ApplyReplyRules http POST accounts/{accountId}/apps/{appId}/reply-rules/apply",
        "ApproveReplyDraft http POST accounts/{accountId}/apps/{appId}/reply-drafts/{reviewId}/approve",
        "CancelConnection http POST accounts/{accountId}/connections/{connectionId}/cancel",
        "ChangeAccountMemberRole http PUT accounts/{accountId}/members/{userId}/role",
        "CheckIntegration activity",
        "CheckIntegrationHealth queue integration-health-checks",
        "ConfirmConnection http POST accounts/{accountId}/connections",
        "ConfirmEmail http POST email-confirmations/{token}",
        "ConnectWithTeamKey http POST accounts/{accountId}/connections/team-key",
        "CreateAccount http POST accounts",
        "CreateReplyRule http POST accounts/{accountId}/apps/{appId}/reply-rules",
        "CreateReplyTemplate http POST accounts/{accountId}/reply-templates",
        "CreateRoute http POST accounts/{accountId}/apps/{appId}/routes",
        "DeleteReply http DELETE accounts/{accountId}/apps/{appId}/reviews/{reviewId}/reply",
        "DeleteReplyRule http DELETE accounts/{accountId}/apps/{appId}/reply-rules/{ruleId}",
        "DeleteReplyTemplate http DELETE accounts/{accountId}/reply-templates/{templateId}",
        "DeleteRoute http DELETE accounts/{accountId}/apps/{appId}/routes/{routeId}",
        "DeliverToRoute queue deliveries",
        "DisconnectConnection http DELETE accounts/{accountId}/connections/{connectionId}",
        "EmailIntegrationOwner activity",
        "EnqueueDueReviewFetches timer %ReviewFetchSchedule%",
        "FailIntegration activity",
        "FanOutNewReviews queue new-reviews",
        "FetchReviews queue review-fetches",
        "GetAccount http GET accounts/{accountId}",
        "GetApp http GET accounts/{accountId}/apps/{appId}",
        "GetConnectionCard http GET accounts/{accountId}/connection-card",
        "GetConnectionEvents http GET accounts/{accountId}/connections/{connectionId}/events",
        "GetConnectionStatus http GET accounts/{accountId}/connections/{connectionId}",
        "GetOpenApiDocument http GET openapi.yaml",
        "GetReply http GET accounts/{accountId}/apps/{appId}/reviews/{reviewId}/reply",
        "GetReplyAutomation http GET accounts/{accountId}/apps/{appId}/reply-automation",
        "GetReplyHistory http GET accounts/{accountId}/apps/{appId}/reviews/{reviewId}/reply/history",
        "GetReplyTemplate http GET accounts/{accountId}/reply-templates/{templateId}",
        "GetReview http GET accounts/{accountId}/apps/{appId}/reviews/{reviewId}",
        "GetReviewFetchStatus http GET accounts/{accountId}/apps/{appId}/review-fetch",
        "Health http GET health",
        "IntegrationSetup orchestration",
        "LinkSlackUser http POST slack-links",
        "ListAccounts http GET accounts",
        "ListApps http GET accounts/{accountId}/apps",
        "ListConnectionApps http GET accounts/{accountId}/connections/{connectionId}/apps",
        "ListConnections http GET accounts/{accountId}/connections",
        "ListEmailConfirmations http GET accounts/{accountId}/email-confirmations",
        "ListOperatorWork http GET operators/connections/waiting",
        "ListReplyDrafts http GET accounts/{accountId}/apps/{appId}/reply-drafts",
        "ListReplyRuleChanges http GET accounts/{accountId}/apps/{appId}/reply-rules/changes",
        "ListReplyRules http GET accounts/{accountId}/apps/{appId}/reply-rules",
        "ListReplyTemplates http GET accounts/{accountId}/reply-templates",
        "ListReviews http GET accounts/{accountId}/apps/{appId}/reviews",
        "ListRoutes http GET accounts/{accountId}/apps/{appId}/routes",
        "MeasureOperatorWork timer 0 */15 * * * *",
        "MeasurePoisonQueues timer 0 */5 * * * *",
        "NotifyConnectionRolesUpdated http POST accounts/{accountId}/connections/{connectionId}/roles-updated",
        "PreviewReplyTemplate http POST accounts/{accountId}/reply-templates/{templateId}/preview",
        "PurgeRemovedApp queue app-removals",
        "QueueDailyHealthChecks timer 0 0 5 * * *",
        "PutReply http PUT accounts/{accountId}/apps/{appId}/reviews/{reviewId}/reply",
        "ReceiveSlackInteraction http POST slack/interactivity",
        "RecordIntegrationCancelled activity",
        "RegisterApp http POST accounts/{accountId}/apps",
        "RegisterConnectionApps http POST accounts/{accountId}/connections/{connectionId}/apps",
        "RegisterConnectionCredential http POST accounts/{accountId}/connections/{connectionId}/credential",
        "RejectReplyDraft http POST accounts/{accountId}/apps/{appId}/reply-drafts/{reviewId}/reject",
        "RemoveAccountMember http DELETE accounts/{accountId}/members/{userId}",
        "RemoveApp http DELETE accounts/{accountId}/apps/{appId}",
        "ReplayPoisonMessages http POST operators/poison/{queue}/replay",
        "ReportNoInvitation http POST accounts/{accountId}/connections/{connectionId}/no-invitation",
        "ReportConnectionFixed http POST accounts/{accountId}/connections/{connectionId}/fixed",
        "ResendEmailConfirmation http POST accounts/{accountId}/email-confirmations",
        "RunReplyRules queue reply-automation",
        "SendEmailConfirmation queue email-confirmations",
        "SendReply queue reply-sends",
        "SendRouteTestMessage http POST accounts/{accountId}/apps/{appId}/routes/{routeId}/test",
        "ShowEmailConfirmation http GET email-confirmations/{token}",
        "TrackReplyModeration timer 0 */5 * * * *",
        "TransferAccountOwnership http POST accounts/{accountId}/owner",
        "UpdateAccount http PATCH accounts/{accountId}",
        "UpdateApp http PATCH accounts/{accountId}/apps/{appId}",
        "UpdateReplyAutomation http PUT accounts/{accountId}/apps/{appId}/reply-automation",
        "UpdateReplyRule http PUT accounts/{accountId}/apps/{appId}/reply-rules/{ruleId}",
        "UpdateReplyTemplate http PUT accounts/{accountId}/reply-templates/{templateId}",
        "UpdateRoute http PATCH accounts/{accountId}/apps/{appId}/routes/{routeId}",
        "UpdateSlackMessages queue slack-message-updates",
        "DeliverReplyEvents queue reply-events",
        "CheckPlayConnection queue play-connection-checks",
        "CheckPlayGrant activity",
        "ConfirmPlayInvitation http POST accounts/{accountId}/google-play/connection/invited",
        "DisconnectPlayConnection http DELETE accounts/{accountId}/google-play/connection",
        "EmailPlayConnectionOwner activity",
        "FailPlayConnection activity",
        "GetPlayConnection http GET accounts/{accountId}/google-play/connection",
        "GetPlayConnectionEvents http GET accounts/{accountId}/google-play/connection/events",
        "ProvisionPlayServiceAccount http PUT operators/accounts/{accountId}/google-play/service-account",
        "QueueDailyPlayConnectionChecks timer 0 30 5 * * *",
        "ReportPlayConnectionFixed http POST accounts/{accountId}/google-play/connection/fixed",
        "VerifyPlayConnection orchestration",
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
            Assert.Contains(f.Trigger.QueueName, ReviewHubStorage.Catalog.Queues);
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
