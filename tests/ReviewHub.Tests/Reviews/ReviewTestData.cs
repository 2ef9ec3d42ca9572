using ReviewHub.Reviews;

namespace ReviewHub.Tests.Reviews;

/// <summary>Reviews stored the way the fetcher stores them (review row + timeline row), for API tests.</summary>
internal static class ReviewTestData
{
    public const string CatalogReviewId = "00000028-b08c-0014-729e-fbd500000000";

    public static FetchedReview Review(string id, int rating = 4, string territory = "USA", DateTimeOffset? createdAt =
        null, FetchedResponse? response = null) =>
        new(id, rating, $"Title {id}", $"Body {id}", "someone", territory, createdAt ?? new DateTimeOffset(2026, 7, 1,
            10, 11, 12, TimeSpan.FromHours(-7)), response);

    public static Task SeedAsync(TestApp app, TestWorld world, IReadOnlyList<FetchedReview> reviews) =>
        app.Get<ReviewStore>().SaveAsync(world.AccountId, world.AppId, ReviewSources.AppStoreConnect, reviews,
            NewReviewRule.Incremental(null), CancellationToken.None);
}
