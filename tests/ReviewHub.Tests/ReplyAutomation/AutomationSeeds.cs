using System.Collections.Concurrent;
using ReviewHub.ReplyAutomation;
using ReviewHub.Tests.Replies;

namespace ReviewHub.Tests.ReplyAutomation;

/// <summary>Templates, rules and drafts seeded through their stores, with their ids remembered per account.</summary>
internal static class AutomationSeeds
{
    private static readonly ConcurrentDictionary<string, string> Templates = new();
    private static readonly ConcurrentDictionary<string, string> Rules = new();

    public const string TemplateBody =
        "Hi {{nickname}}, thanks for rating {{appName}} {{rating}} stars in {{territory}} on the {{store}}!";

    public static string TemplateId(TestWorld world) => Templates.TryGetValue(world.AccountId,
        out var id) ? id : new string('0', 32);

    public static string RuleId(TestWorld world) => Rules.TryGetValue(world.AppId, out var id) ? id : new string('0',
        32);

    public static string TemplatesPath(TestWorld world) => $"{world.AccountPath}/reply-templates";

    public static string TemplatePath(TestWorld world,
        string suffix = "") => $"{TemplatesPath(world)}/{TemplateId(world)}{suffix}";

    public static string RulesPath(TestWorld world) => $"{world.AppPath}/reply-rules";

    public static string RulePath(TestWorld world) => $"{RulesPath(world)}/{RuleId(world)}";

    public static string DraftPath(TestWorld world,
        string action) => $"{world.AppPath}/reply-drafts/{ReplySeeds.ReviewId}/{action}";

    /// <summary>An app that can reply (an active integration) with one rule of <paramref name="mode"/> and a daily cap,
    /// set through the API.</summary>
    public static async Task RuleWithCapAsync(TestApp app, TestWorld world, RuleMode mode, int dailyCap)
    {
        await ReplySeeds.IntegrationAsync(app, world);
        await RuleAsync(app, world, mode);
        Assert.Equal(200, (await app.Host.PutAsync($"{world.AppPath}/reply-automation", world.Token,
            new { dailyCap })).Status);
    }

    public static async Task TemplateAsync(TestApp app, TestWorld world, string body = TemplateBody)
    {
        var template = await app.Get<ReplyTemplateStore>().CreateAsync(world.AccountId,
            new ReplyTemplateRequest("Thanks", ["praise"], body), world.UserId, CancellationToken.None);
        Templates[world.AccountId] = template.RowKey;
    }

    public static async Task RuleAsync(TestApp app, TestWorld world, RuleMode mode = RuleMode.Post,
        RuleConditions? conditions = null, int? position = null, string name = "Praise")
    {
        if (!Templates.ContainsKey(world.AccountId))
        {
            await TemplateAsync(app, world);
        }
        var rule = await app.Get<ReplyAutomationStore>().CreateRuleAsync(world.AccountId, world.AppId,
            new ReplyRuleRequest(name, position, true, conditions, TemplateId(world), mode.ToString()), world.UserId,
            CancellationToken.None);
        Rules[world.AppId] = rule.RowKey;
    }

    /// <summary>A repliable review with a draft a rule wrote for it.</summary>
    public static async Task DraftAsync(TestApp app, TestWorld world)
    {
        await ReplySeeds.RepliableAsync(app, world);
        await RuleAsync(app, world, RuleMode.Draft);
        Assert.True(await app.Get<ReplyAutomationStore>().TryAddDraftAsync(new ReplyDraftEntity
        {
            PartitionKey = world.AppId,
            RowKey = ReplySeeds.ReviewId,
            AccountId = world.AccountId,
            Body = "Thanks for the review!",
            RuleId = RuleId(world),
            TemplateId = TemplateId(world),
            CreatedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None));
    }

    /// <summary>Adds a member with <paramref name="role"/> and returns their token.</summary>
    public static async Task<string> MemberAsync(TestApp app, TestWorld world, string role)
    {
        var userId = $"{role}-{Guid.NewGuid():N}";
        var added = await app.Host.PostAsync($"{world.AccountPath}/members", world.Token, new { userId, role });
        Assert.True(added.Status == 200, added.ToString());
        return TestTokens.For(userId);
    }
}
