using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Reviews;

namespace ReviewHub.Tests.Reviews;

/// <summary>
/// The steps a customer's app goes through when its integration starts, shared by the matching tests and the
/// <c>dedupe</c> benchmark (linked there): the feed's first import, activation, the full-history import, and the score.
/// </summary>
internal static class MatchingRun
{
    /// <summary>Marks the app's integration active with this key and tells ingestion, as integrations do.</summary>
    public static async Task<IntegrationEntity> ActivateAsync(
        IServiceProvider services, string accountId, string appId, string credentialReference)
    {
        var integration = new IntegrationEntity
        {
            PartitionKey = accountId,
            RowKey = appId,
            Status = nameof(IntegrationStatus.Active),
            ActiveKind = nameof(IntegrationKind.FullAccess),
            IntegrationEmail = "integration@reviewhub.test",
            CredentialReference = credentialReference,
        };
        integration = await TestConnections.SaveAsync(services, integration);
        foreach (var listener in services.GetServices<IIntegrationActivationListener>())
        {
            await listener.OnActivatedAsync(AppConnection.Of(integration, appId), CancellationToken.None);
        }
        return integration;
    }

    /// <summary>Fetches until the fetch completes (a backfill goes on in slices), like the queue.</summary>
    public static async Task<FetchOutcome> FetchUntilCompletedAsync(ReviewFetcher fetcher, ReviewFetchRequest request)
    {
        for (var slice = 0; slice < 100; slice++)
        {
            var outcome = await fetcher.FetchAsync(request, CancellationToken.None);
            if (outcome.Kind != FetchOutcomeKind.Deferred)
            {
                return outcome.Kind == FetchOutcomeKind.Completed
                    ? outcome
                    : throw new InvalidOperationException(
                        $"The fetch of {request.AppId} ended {outcome.Kind}: {outcome.Error}");
            }
        }
        throw new InvalidOperationException($"The fetch of {request.AppId} did not complete in 100 slices.");
    }

    /// <summary>Serves the set's feed copies in the fake feed, each in its storefront.</summary>
    public static void ServeFeed(FakeReviewFeed feed, string storeAppId, IReadOnlyList<GeneratedReview> set)
    {
        foreach (var storefront in set.GroupBy(g => g.Storefront))
        {
            feed.SetReviews(storefront.Key, storeAppId, storefront.Select(g => g.Feed).OfType<FakeFeedReview>());
        }
    }

    /// <summary>Serves the set's App Store Connect copies in the fake App Store Connect.</summary>
    public static void ServeApi(FakeAppStoreConnect asc, string storeAppId, IReadOnlyList<GeneratedReview> set) =>
        asc.SetReviews(storeAppId, set.Select(g => g.Api).OfType<FakeCustomerReview>());

    /// <summary>The feed and App Store Connect ids a stored row holds.</summary>
    public static StoredIds IdsOf(ReviewEntity row) => row.AscReviewId is not null
        ? new StoredIds(row.ReviewId, row.AscReviewId)
        : row.Source == ReviewSources.AppStoreConnect
            ? new StoredIds(row.FeedReviewId, row.ReviewId)
            : new StoredIds(row.ReviewId, null);

    public static async Task<DedupeScore> ScoreAsync(
        TableServiceClient tables, string appId, IReadOnlyList<GeneratedReview> set)
    {
        var rows = new List<StoredIds>();
        var reviews = tables.GetTableClient(ReviewTables.Reviews);
        await foreach (var row in reviews.QueryAsync<ReviewEntity>(r => r.PartitionKey == appId))
        {
            rows.Add(IdsOf(row));
        }
        return DedupeScore.Of(set, rows);
    }
}
