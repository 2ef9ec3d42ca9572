namespace ReviewHub.Tests.Security;

/// <summary>A request that a member of <see cref="TestWorld"/>'s account may make to one HTTP function, and what it answers.</summary>
public sealed record CatalogEndpoint(
    string Function,
    HttpMethod Method,
    Func<TestWorld, string> Path,
    Func<TestWorld, object?>? Body = null,
    int MemberStatus = 200,
    bool Public = false,
    bool OperatorOnly = false,
    Func<TestApp, TestWorld, Task>? Arrange = null)
{
    public override string ToString() => Function;
}

/// <summary>
/// Every HTTP function of the app with one valid request. The tenancy tests run each entry for 401, 404 and a member's
/// success; <see cref="TenancyTests.The_catalog_lists_every_http_function_the_build_declares"/> fails when a function is missing here.
/// </summary>
public static class EndpointCatalog
{
    public static readonly IReadOnlyList<CatalogEndpoint> All =
    [
        new("Health", HttpMethod.Get, _ => "/api/health", Public: true),

        new("CreateAccount", HttpMethod.Post, _ => "/api/accounts", _ => new { name = "Other", ownerEmail = "o@customer.test" }, 201),
        new("ListAccounts", HttpMethod.Get, _ => "/api/accounts"),
        new("GetAccount", HttpMethod.Get, w => w.AccountPath),
        new("AddAccountMember", HttpMethod.Post, w => $"{w.AccountPath}/members", _ => new { userId = "new-member" }),
        new("RemoveAccountMember", HttpMethod.Delete, w => $"{w.AccountPath}/members/colleague", MemberStatus: 204,
            Arrange: (app, w) => app.Host.PostAsync($"{w.AccountPath}/members", w.Token, new { userId = "colleague" })),

        new("ListApps", HttpMethod.Get, w => $"{w.AccountPath}/apps"),
        new("RegisterApp", HttpMethod.Post, w => $"{w.AccountPath}/apps",
            _ => new { storeAppId = "987654321", platform = "macos", name = "Other", territories = new[] { "FRA" } }, 201),
        new("GetApp", HttpMethod.Get, w => w.AppPath),
        new("UpdateApp", HttpMethod.Patch, w => w.AppPath, _ => new { name = "Renamed" }),
        new("RemoveApp", HttpMethod.Delete, w => w.AppPath, MemberStatus: 204),

        new("ListReviews", HttpMethod.Get, w => $"{w.AppPath}/reviews"),
        new("GetReview", HttpMethod.Get, w => $"{w.AppPath}/reviews/{Reviews.ReviewTestData.CatalogReviewId}",
            Arrange: (app, w) => Reviews.ReviewTestData.SeedAsync(app, w, [Reviews.ReviewTestData.Review(Reviews.ReviewTestData.CatalogReviewId)])),
    ];

    public static TheoryData<string> Names(Func<CatalogEndpoint, bool> filter)
    {
        var data = new TheoryData<string>();
        foreach (var endpoint in All.Where(filter))
        {
            data.Add(endpoint.Function);
        }
        return data;
    }

    public static CatalogEndpoint Get(string function) => All.Single(e => e.Function == function);
}
