using ReviewHub.Accounts;
using ReviewHub.Apps;
using System.Globalization;

namespace ReviewHub.Tests.Infrastructure;

/// <summary>A member with an account and one registered app, created through the API like the SPA would.</summary>
internal sealed record TestWorld(string UserId, string Token, string AccountId, string AppId)
{
    public string AccountPath => $"/api/accounts/{AccountId}";
    public string AppPath => $"/api/accounts/{AccountId}/apps/{AppId}";
    public string OwnerEmail => OwnerEmailFor(UserId);

    private static string OwnerEmailFor(string userId) => $"owner-{userId[..Math.Min(8, userId.Length)]}@customer.test";

    public static async Task<TestWorld> CreateAsync(TestApp app, string? storeAppId = null)
    {
        var userId = Guid.NewGuid().ToString();
        var token = TestTokens.For(userId, $"{userId[..8]}@customer.test");
        var account = await app.Host.PostAsync("/api/accounts", token, new
        {
            name = "Acme",
            ownerEmail = OwnerEmailFor(userId),
        });
        Assert.True(account.Status == 201, account.ToString());
        var accountId = account.As<AccountResponse>().AccountId;

        var registered = await app.Host.PostAsync($"/api/accounts/{accountId}/apps", token, new
        {
            storeAppId = storeAppId ?? Random.Shared.NextInt64(100_000_000, 9_999_999_999).ToString(
                CultureInfo.InvariantCulture),
            platform = "ios",
            name = "Acme Notes",
            territories = new[] { "USA", "GBR" },
        });
        Assert.True(registered.Status == 201, registered.ToString());
        return new TestWorld(userId, token, accountId, registered.As<AppResponse>().AppId);
    }
}
