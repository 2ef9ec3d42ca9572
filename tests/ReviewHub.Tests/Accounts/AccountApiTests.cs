using ReviewHub.Accounts;

namespace ReviewHub.Tests.Accounts;

public sealed class AccountApiTests
{
    [Fact]
    public async Task The_creator_owns_the_account_and_can_add_a_member_who_then_sees_it()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var colleague = Guid.NewGuid().ToString();
        var colleagueToken = TestTokens.For(colleague);

        Assert.Equal(404, (await app.Host.GetAsync(world.AppPath, colleagueToken)).Status);
        var added = await app.Host.PostAsync($"{world.AccountPath}/members", world.Token,
            new { userId = colleague, email = "c@customer.test" });
        Assert.Equal(200, added.Status);

        Assert.Equal(200, (await app.Host.GetAsync(world.AppPath, colleagueToken)).Status);
        var mine = await app.Host.GetAsync("/api/accounts", colleagueToken);
        Assert.Equal(world.AccountId,
            Assert.Single(mine.Json.GetProperty("items").EnumerateArray()).GetProperty("accountId").GetString());

        var account = (await app.Host.GetAsync(world.AccountPath, colleagueToken)).As<AccountResponse>();
        Assert.Equal(2, account.Members!.Count);
        Assert.Contains(account.Members, m => m.UserId == world.UserId && m.Role == MemberRoles.Owner);
    }

    [Fact]
    public async Task Only_owners_manage_members_and_the_owner_cannot_be_removed()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var member = Guid.NewGuid().ToString();
        await app.Host.PostAsync($"{world.AccountPath}/members", world.Token, new { userId = member });

        var byMember = await app.Host.PostAsync($"{world.AccountPath}/members", TestTokens.For(member),
            new { userId = "someone-else" });
        Assert.Equal(403, byMember.Status);
        Assert.Equal(409,
            (await app.Host.DeleteAsync($"{world.AccountPath}/members/{world.UserId}", world.Token)).Status);

        Assert.Equal(204, (await app.Host.DeleteAsync($"{world.AccountPath}/members/{member}", world.Token)).Status);
        Assert.Equal(404, (await app.Host.GetAsync(world.AccountPath, TestTokens.For(member))).Status);
        Assert.Equal(404, (await app.Host.DeleteAsync($"{world.AccountPath}/members/{member}", world.Token)).Status);
    }

    [Theory]
    [InlineData("""{"name":"","ownerEmail":"a@b.test"}""", "name")]
    [InlineData("""{"name":"Acme","ownerEmail":"not-an-email"}""", "ownerEmail")]
    [InlineData("""{"name":"Acme"}""", "ownerEmail")]
    public async Task Invalid_account_answers_400_and_creates_nothing(string body, string field)
    {
        await using var app = await TestApp.StartAsync();
        var token = TestTokens.For(Guid.NewGuid().ToString());

        var response = await app.Host.PostAsync("/api/accounts", token, body);

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out _), response.Body);
        Assert.Empty((await app.Host.GetAsync("/api/accounts", token)).Json.GetProperty("items").EnumerateArray());
    }
}
