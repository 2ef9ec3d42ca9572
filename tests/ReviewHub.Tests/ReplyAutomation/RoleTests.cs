using ReviewHub.Accounts;
using ReviewHub.Replies;
using ReviewHub.Tests.Replies;

namespace ReviewHub.Tests.ReplyAutomation;

/// <summary>
/// Account roles on the reply endpoints, templates, rules and drafts: who may read, write and approve.
/// </summary>
public sealed class RoleTests
{
    [Fact]
    public async Task A_reader_reads_replies_but_gets_403_on_writing_and_nothing_is_written()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReplySeeds.RepliedAsync(app, world);
        var reader = await AutomationSeeds.MemberAsync(app, world, MemberRoles.Reader);
        app.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends);

        Assert.Equal(200, (await app.Host.GetAsync(ReplySeeds.ReplyPath(world), reader)).Status);
        Assert.Equal(200, (await app.Host.GetAsync($"{ReplySeeds.ReplyPath(world)}/history", reader)).Status);
        var put = await app.Host.PutAsync(ReplySeeds.ReplyPath(world), reader, new { body = "Mine now" });
        var delete = await app.Host.DeleteAsync(ReplySeeds.ReplyPath(world), reader);
        var template = await app.Host.PostAsync(AutomationSeeds.TemplatesPath(world), reader, new { name = "x",
            body = "y" });

        foreach (var response in new[] { put, delete, template })
        {
            Assert.True(response.Status == 403, response.ToString());
            Assert.Equal(AccountAccess.RoleNotAllowedType, response.Json.GetProperty("type").GetString());
        }
        Assert.Equal("Thanks!", (await app.Get<ReplyStore>().GetAsync(world.AppId, ReplySeeds.ReviewId,
            CancellationToken.None))!.Body);
        Assert.Empty(app.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends));
    }

    [Fact]
    public async Task A_member_writes_replies_and_templates_but_only_approvers_and_the_owner_approve_and_manage_rules()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await AutomationSeeds.DraftAsync(app, world);
        var member = await AutomationSeeds.MemberAsync(app, world, MemberRoles.Member);
        var approver = await AutomationSeeds.MemberAsync(app, world, MemberRoles.Approver);
        var rule = new { name = "r", templateId = AutomationSeeds.TemplateId(world), mode = "post" };

        Assert.Equal(201, (await app.Host.PostAsync(AutomationSeeds.TemplatesPath(world), member, new { name = "x",
            body = "y" })).Status);
        Assert.Equal(403, (await app.Host.PostAsync(AutomationSeeds.DraftPath(world, "approve"), member)).Status);
        Assert.Equal(403, (await app.Host.PostAsync(AutomationSeeds.DraftPath(world, "reject"), member)).Status);
        Assert.Equal(403, (await app.Host.PostAsync(AutomationSeeds.RulesPath(world), member, rule)).Status);
        Assert.Equal(403, (await app.Host.PutAsync($"{world.AppPath}/reply-automation", member,
            new { dailyCap = 1 })).Status);
        Assert.Single((await app.Get<ReviewHub.ReplyAutomation.ReplyAutomationStore>().DraftsAsync(world.AppId,
            CancellationToken.None)));

        Assert.Equal(201, (await app.Host.PostAsync(AutomationSeeds.RulesPath(world), approver, rule)).Status);
        Assert.Equal(202, (await app.Host.PostAsync(AutomationSeeds.DraftPath(world, "approve"), approver)).Status);
        Assert.Equal(202, (await app.Host.PutAsync(ReplySeeds.ReplyPath(world), member,
            new { body = "Edited by a member" })).Status);
    }

    [Fact]
    public async Task Only_the_owner_changes_roles_and_the_owners_own_role_moves_only_with_ownership()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var approver = await AutomationSeeds.MemberAsync(app, world, MemberRoles.Approver);
        await app.Host.PostAsync($"{world.AccountPath}/members", world.Token, new { userId = "colleague" });

        Assert.Equal(403, (await app.Host.PutAsync($"{world.AccountPath}/members/colleague/role", approver,
            new { role = "approver" })).Status);
        Assert.Equal(409, (await app.Host.PutAsync($"{world.AccountPath}/members/{world.UserId}/role", world.Token,
            new { role = "reader" })).Status);
        Assert.Equal(400, (await app.Host.PutAsync($"{world.AccountPath}/members/colleague/role", world.Token,
            new { role = "owner" })).Status);
        Assert.Equal(404, (await app.Host.PutAsync($"{world.AccountPath}/members/nobody/role", world.Token,
            new { role = "reader" })).Status);

        var changed = await app.Host.PutAsync($"{world.AccountPath}/members/colleague/role", world.Token,
            new { role = "reader" });
        Assert.Equal("reader", changed.Json.GetProperty("role").GetString());
        var account = (await app.Host.GetAsync(world.AccountPath, world.Token)).As<AccountResponse>();
        Assert.Equal(MemberRoles.Reader, account.Members!.Single(m => m.UserId == "colleague").Role);
        Assert.Equal(MemberRoles.Owner, account.Members!.Single(m => m.UserId == world.UserId).Role);
    }

    public static TheoryData<string, string, bool> Table => new()
    {
        { MemberRoles.Owner, nameof(AccountPermission.ApproveReplies), true },
        { MemberRoles.Approver, nameof(AccountPermission.ApproveReplies), true },
        { MemberRoles.Member, nameof(AccountPermission.ApproveReplies), false },
        { MemberRoles.Reader, nameof(AccountPermission.ApproveReplies), false },
        { MemberRoles.Member, nameof(AccountPermission.WriteReplies), true },
        { MemberRoles.Reader, nameof(AccountPermission.WriteReplies), false },
        { MemberRoles.Reader, nameof(AccountPermission.Read), true },
        { "someone", nameof(AccountPermission.Read), false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Roles_allow_what_the_table_says(string role, string permission, bool allowed) =>
        Assert.Equal(allowed, MemberRoles.Allows(role, Enum.Parse<AccountPermission>(permission)));
}
