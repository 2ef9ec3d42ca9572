using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Delivery;
using ReviewHub.GooglePlay;
using ReviewHub.Integrations;
using ReviewHub.Replies;
using ReviewHub.ReplyAutomation;
using ReviewHub.Reviews;
using ReviewHub.Slack;
using ReviewHub.Storage;

namespace ReviewHub;

/// <summary>
/// The tables and queues each feature declares, collected where the app is composed; a feature that adds a table adds
/// it to its own <c>*Tables</c> class, and a new feature adds its line here.
/// </summary>
internal static class ReviewHubStorage
{
    public static readonly IReadOnlyList<FeatureStorage> Features =
    [
        new(nameof(Accounts), AccountTables.All, AccountQueues.All),
        new(nameof(Apps), AppTables.All, AppQueues.All),
        new(nameof(Reviews), ReviewTables.All, ReviewQueues.All),
        new(nameof(Integrations), IntegrationTables.All, IntegrationQueues.All),
        new(nameof(GooglePlay), GooglePlayTables.All, GooglePlayQueues.All),
        new(nameof(Replies), ReplyTables.All, ReplyQueues.All),
        new(nameof(Delivery), DeliveryTables.All, DeliveryQueues.All),
        new(nameof(ReplyAutomation), ReplyAutomationTables.All, ReplyAutomationQueues.All),
        new(nameof(Slack), SlackTables.All, SlackQueues.All),
        new(nameof(Storage), SharedTables.All, []),
    ];

    /// <summary>The declarations as the provisioner, the poison monitor and the replay endpoint read them.</summary>
    public static readonly StorageCatalog Catalog = new(Features);
}
