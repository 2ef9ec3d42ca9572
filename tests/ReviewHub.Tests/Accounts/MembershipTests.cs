using ReviewHub.Accounts;

namespace ReviewHub.Tests.Accounts;

/// <summary>
/// One owner per account: adding members never changes a membership, and only the owner hands ownership on.
/// </summary>
public sealed class MembershipTests
{
    [Fact]
    public async Task Adding_the_owners_own_id_as_a_member_neither_demotes_nor_locks_out_the_owner()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        var asMember = await app.Host.PostAsync(
            $"{world.AccountPath}/members",
            world.Token,
            new { userId = world.UserId }
        );
        var asMemberWithRole = await app.Host.PostAsync(
            $"{world.AccountPath}/members",
            world.Token,
            new { userId = world.UserId, role = "member" }
        );

        Assert.Equal(409, asMember.Status);
        Assert.Equal(409, asMemberWithRole.Status);
        Assert.Equal(
            200,
            (await app.Host.PostAsync($"{world.AccountPath}/members", world.Token, new { userId = "colleague" })).Status
        );
        var account = (await app.Host.GetAsync(world.AccountPath, world.Token)).As<AccountResponse>();
        Assert.Equal(MemberRoles.Owner, account.Members!.Single(m => m.UserId == world.UserId).Role);
    }

    [Fact]
    public async Task Adding_an_existing_member_again_changes_nothing_and_owner_is_not_a_role_to_give()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var first = await app.Host.PostAsync(
            $"{world.AccountPath}/members",
            world.Token,
            new { userId = "colleague", email = "c@customer.test" }
        );

        var again = await app.Host.PostAsync(
            $"{world.AccountPath}/members",
            world.Token,
            new { userId = "colleague", email = "other@customer.test" }
        );
        var promote = await app.Host.PostAsync(
            $"{world.AccountPath}/members",
            world.Token,
            new { userId = "colleague", role = "owner" }
        );

        Assert.Equal(200, again.Status);
        Assert.Equal(first.As<MemberResponse>(), again.As<MemberResponse>());
        Assert.Equal(400, promote.Status);
        Assert.Equal(
            403,
            (
                await app.Host.PostAsync(
                    $"{world.AccountPath}/members",
                    TestTokens.For("colleague"),
                    new { userId = "x" }
                )
            ).Status
        );
    }

    [Fact]
    public async Task The_owner_transfers_ownership_to_a_member_and_keeps_membership()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var heir = Guid.NewGuid().ToString();
        var heirToken = TestTokens.For(heir);
        Assert.Equal(
            409,
            (await app.Host.PostAsync($"{world.AccountPath}/owner", world.Token, new { userId = heir })).Status
        );
        await app.Host.PostAsync(
            $"{world.AccountPath}/members",
            world.Token,
            new { userId = heir, email = "heir@customer.test" }
        );
        Assert.Equal(
            403,
            (await app.Host.PostAsync($"{world.AccountPath}/owner", heirToken, new { userId = heir })).Status
        );

        var transferred = await app.Host.PostAsync($"{world.AccountPath}/owner", world.Token, new { userId = heir });

        Assert.True(transferred.Status == 200, transferred.ToString());
        var account = transferred.As<AccountResponse>();
        Assert.Equal("heir@customer.test", account.OwnerEmail);
        Assert.Equal(MemberRoles.Owner, account.Members!.Single(m => m.UserId == heir).Role);
        Assert.Equal(MemberRoles.Member, account.Members!.Single(m => m.UserId == world.UserId).Role);
        Assert.Equal(
            403,
            (await app.Host.PostAsync($"{world.AccountPath}/members", world.Token, new { userId = "x" })).Status
        );
        Assert.Equal(200, (await app.Host.GetAsync(world.AppPath, world.Token)).Status);
        Assert.Equal(
            200,
            (await app.Host.PostAsync($"{world.AccountPath}/members", heirToken, new { userId = "x" })).Status
        );
        Assert.Equal(
            204,
            (await app.Host.DeleteAsync($"{world.AccountPath}/members/{world.UserId}", heirToken)).Status
        );
        var pending = await app.Get<EmailConfirmationStore>()
            .GetAsync(world.AccountId, "heir@customer.test", CancellationToken.None);
        Assert.False(pending!.IsConfirmed);
    }
}
