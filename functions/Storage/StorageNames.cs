namespace ReviewHub.Storage;

/// <summary>Every table the app owns. Features add theirs here so provisioning and infrastructure see them
/// all.</summary>
public static class TableNames
{
    public const string Accounts = "Accounts";
    public const string Memberships = "Memberships";
    public const string UserAccounts = "UserAccounts";
    public const string Apps = "Apps";
    public const string Reviews = "Reviews";
    public const string Integrations = "Integrations";
    public const string IntegrationEvents = "IntegrationEvents";
    public const string ConnectionApps = "ConnectionApps";
    public const string Replies = "Replies";
    public const string ReplyHistory = "ReplyHistory";
    public const string ReplyPending = "ReplyPending";
    public const string DeliveryRoutes = "DeliveryRoutes";
    public const string Deliveries = "Deliveries";
    public const string ReviewTimeline = "ReviewTimeline";
    public const string ReviewFetchSchedules = "ReviewFetchSchedules";
    public const string ReviewFetchDue = "ReviewFetchDue";
    public const string ApiKeyBudgets = "ApiKeyBudgets";
    public const string EmailConfirmations = "EmailConfirmations";
    public const string RateLimits = "RateLimits";
    public const string ReplyTemplates = "ReplyTemplates";
    public const string ReplyRules = "ReplyRules";
    public const string ReplyDrafts = "ReplyDrafts";
    public const string ReplyAutomation = "ReplyAutomation";
    public const string SlackUserLinks = "SlackUserLinks";

    public static readonly IReadOnlyList<string> All =
    [
        Accounts,
        Memberships,
        UserAccounts,
        Apps,
        Reviews,
        Integrations,
        IntegrationEvents,
        ConnectionApps,
        Replies,
        ReplyHistory,
        ReplyPending,
        DeliveryRoutes,
        Deliveries,
        ReviewTimeline,
        ReviewFetchSchedules,
        ReviewFetchDue,
        ApiKeyBudgets,
        EmailConfirmations,
        RateLimits,
        ReplyTemplates,
        ReplyRules,
        ReplyDrafts,
        ReplyAutomation,
        SlackUserLinks,
    ];
}

/// <summary>
/// Every queue the app owns. Triggers bind to these names; the host's poison queue for each is "{name}-poison".
/// </summary>
public static class QueueNames
{
    public const string AppRemovals = "app-removals";

    /// <summary>Carries <see cref="Reviews.NewReviewsBatch"/> from ingestion to delivery.</summary>
    public const string NewReviews = "new-reviews";

    /// <summary>Carries <see cref="Replies.ReplySendMessage"/> from the reply API to the sender.</summary>
    public const string ReplySends = "reply-sends";

    /// <summary>Carries <see cref="Delivery.DeliveryWork"/>: one unit of work per (new-reviews batch, matching
    /// route).</summary>
    public const string Deliveries = "deliveries";

    /// <summary>Carries <see cref="Reviews.ReviewFetchRequest"/> from the schedule timer to the fetcher.</summary>
    public const string ReviewFetches = "review-fetches";

    /// <summary>Carries <see cref="Accounts.EmailConfirmationMessage"/>: send a confirmation link.</summary>
    public const string EmailConfirmations = "email-confirmations";

    /// <summary>Carries <see cref="ReplyAutomation.ReplyAutomationWork"/>: run the reply rules on reviews.</summary>
    public const string ReplyAutomation = "reply-automation";

    /// <summary>Carries <see cref="Slack.SlackMessageUpdate"/>: show a reply's state on the review's Slack
    /// messages.</summary>
    public const string SlackMessageUpdates = "slack-message-updates";

    /// <summary>Carries <see cref="Delivery.ReplyEventMessage"/>: a reply event to fan out, or to deliver to one
    /// route.</summary>
    public const string ReplyEvents = "reply-events";

    /// <summary>Carries <see cref="Integrations.IntegrationHealthCheckRequest"/>: check one connection in
    /// force.</summary>
    public const string IntegrationHealthChecks = "integration-health-checks";


    public static readonly IReadOnlyList<string> All =
    [
        AppRemovals, NewReviews, ReplySends, Deliveries, ReviewFetches, EmailConfirmations, ReplyAutomation,
        SlackMessageUpdates, IntegrationHealthChecks, ReplyEvents,
    ];

    public static string Poison(string queueName) => $"{queueName}-poison";
}
