using ReviewHub.Reviews;
using Azure.Data.Tables;
using ReviewHub.Apps;
using ReviewHub.ReplyAutomation;
using ReviewHub.Storage;
using ReviewHub.Tests.Replies;

namespace ReviewHub.Tests.ReplyAutomation;

/// <summary>The placeholder syntax, saving templates (unknown placeholders refused) and the preview.</summary>
public sealed class TemplateTests
{
    public static TheoryData<string, bool> Syntax => new()
    {
        { "Thanks {{nickname}}!", true },
        { "Thanks {{ nickname }} for rating {{appName}} {{rating}}/5 in {{territory}} on the {{store}}.", true },
        { "Single {braces} are text, and so is }{.", true },
        { "No placeholders at all.", true },
        { "Hi {{name}}", false },
        { "Hi {{nickname.Length}}", false },
        { "Hi {{ nickname | upcase }}", false },
        { "Hi {{nickname", false },
        { "Hi nickname}}", false },
        { "Hi {{nick{{name}}}}", false },
        { "{{}}", false },
        { "{{#each reviews}}x{{/each}}", false },
    };

    [Theory]
    [MemberData(nameof(Syntax))]
    public void Only_known_placeholders_in_double_braces_are_valid(string template, bool valid) =>
        Assert.Equal(valid, ReplyPlaceholders.Problems(template).Count == 0);

    [Fact]
    public void Rendering_fills_every_placeholder_once_and_never_reads_what_it_inserted()
    {
        var values = new PlaceholderValues("{{appName}}", "Notes", 4, "GBR", "App Store");

        var text = ReplyPlaceholders.Render("Hi {{ nickname }}: {{appName}} {{rating}}★ {{territory}} {{store}}",
            values);

        Assert.Equal("Hi {{appName}}: Notes 4★ GBR App Store", text);
    }

    [Fact]
    public async Task Saving_a_template_with_an_unknown_placeholder_answers_400_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        var response = await app.Host.PostAsync(AutomationSeeds.TemplatesPath(world), world.Token,
            new { name = "Bad", body = "Hi {{customer}}, thanks!" });

        Assert.True(response.Status == 400, response.ToString());
        Assert.Contains("{{customer}}", response.Json.GetProperty("errors").GetProperty("body")[0].GetString());
        Assert.Empty(await app.Get<ReplyTemplateStore>().ListAsync(world.AccountId, CancellationToken.None));
    }

    [Fact]
    public async Task A_template_is_created_listed_by_tag_replaced_and_deleted()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var path = AutomationSeeds.TemplatesPath(world);

        var created = await app.Host.PostAsync(path, world.Token,
            new { name = "Crash apology", tags = new[] { "bugs", "bugs", "sorry" }, body = "Sorry {{nickname}}!" });
        Assert.True(created.Status == 201, created.ToString());
        var template = created.As<ReplyTemplateResponse>();
        Assert.Equal(["bugs", "sorry"], template.Tags);

        Assert.Single((await app.Host.GetAsync($"{path}?tag=bugs",
            world.Token)).Json.GetProperty("items").EnumerateArray());
        Assert.Empty((await app.Host.GetAsync($"{path}?tag=praise",
            world.Token)).Json.GetProperty("items").EnumerateArray());

        var replaced = await app.Host.PutAsync($"{path}/{template.TemplateId}", world.Token,
            new { name = "Crash apology", body = "Sorry, {{ nickname }}." });
        Assert.Equal("Sorry, {{ nickname }}.", replaced.As<ReplyTemplateResponse>().Body);
        Assert.Equal(400, (await app.Host.PutAsync($"{path}/{template.TemplateId}", world.Token,
            new { name = "x", body = "{{oops}}" })).Status);

        Assert.Equal(204, (await app.Host.DeleteAsync($"{path}/{template.TemplateId}", world.Token)).Status);
        Assert.Equal(404, (await app.Host.GetAsync($"{path}/{template.TemplateId}", world.Token)).Status);
    }

    [Fact]
    public async Task A_template_a_rule_uses_cannot_be_deleted()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await AutomationSeeds.RuleAsync(app, world);

        var response = await app.Host.DeleteAsync(AutomationSeeds.TemplatePath(world), world.Token);

        Assert.True(response.Status == 409, response.ToString());
        Assert.NotNull(await app.Get<ReplyTemplateStore>().GetAsync(world.AccountId, AutomationSeeds.TemplateId(world),
            CancellationToken.None));
    }

    [Fact]
    public async Task The_preview_renders_the_review_and_checks_the_stores_limit()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        await ReplySeeds.ReviewAsync(app, world);
        var reviews = app.Get<TableServiceClient>().GetTableClient(ReviewTables.Reviews);
        await reviews.UpdateAsync<ReviewHub.Reviews.ReviewEntity>(
            world.AppId, ReplySeeds.ReviewId, r => { r.ReviewerNickname = "Dana"; return true; });
        await AutomationSeeds.TemplateAsync(app, world);

        var preview = (await app.Host.PostAsync(AutomationSeeds.TemplatePath(world, "/preview"), world.Token,
            new { appId = world.AppId, reviewId = ReplySeeds.ReviewId })).As<TemplatePreviewResponse>();

        Assert.Equal("Hi Dana, thanks for rating Acme Notes 2 stars in USA on the App Store!", preview.Text);
        Assert.Equal((preview.Text.Length, 5970, true, "appStore"), (preview.Length, preview.MaxLength,
            preview.FitsStore, preview.Store));

        // A template within the body limit can still render past it once the placeholders are filled in.
        await AutomationSeeds.TemplateAsync(app, world, new string('x', 5965) + "{{appName}}");
        var tooLong = (await app.Host.PostAsync(AutomationSeeds.TemplatePath(world, "/preview"), world.Token,
            new { appId = world.AppId, reviewId = ReplySeeds.ReviewId })).As<TemplatePreviewResponse>();
        Assert.Equal((5970, false), (tooLong.MaxLength, tooLong.FitsStore));
        Assert.Equal(5965 + "Acme Notes".Length, tooLong.Length);

        var stranger = await TestWorld.CreateAsync(app);
        Assert.Equal(404, (await app.Host.PostAsync(AutomationSeeds.TemplatePath(world, "/preview"), world.Token,
            new { appId = stranger.AppId, reviewId = ReplySeeds.ReviewId })).Status);
    }

    [Fact]
    public void Store_limits_follow_the_apps_platform()
    {
        Assert.Equal(5970, StoreLimits.MaxReplyLength(new AppEntity { Platform = Platforms.Ios }));
        Assert.Equal(5970, StoreLimits.MaxReplyLength(new AppEntity { Platform = Platforms.MacOs }));
        Assert.Equal(350, StoreLimits.MaxReplyLength(new AppEntity { Platform = "android" }));
    }
}
