using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Delivery;
using ReviewHub.Fakes;
using ReviewHub.Replies;
using ReviewHub.Slack;
using ReviewHub.Tests.ReplyAutomation;
using ReviewHub.Tests.Replies;

namespace ReviewHub.Tests.Slack;

/// <summary>
/// Replying from Slack end to end with signed interactivity requests against the fake Slack and the fake App Store
/// Connect: the review message's buttons, linking, the modal, the submission through the reply flow, the message
/// updates; and every refusal (bad or stale signatures, unlinked users, roles, expired triggers, foreign buttons).
/// </summary>
public sealed partial class SlackReplyTests
{
    private const string SlackUser = "U0DANA";
    private const string Token = "xoxb-slack-replies";
    private const string Channel = "C0REVIEWS";
    private const string Path = "/api/slack/interactivity";

    private sealed class Harness : IAsyncDisposable
    {
        public required ReplyScenario Scenario { get; init; }
        public required FakeSlack Slack { get; init; }
        public required string RouteId { get; init; }

        /// <summary>A workspace of this test's own: user links are global, and this storage is shared.</summary>
        public string Team { get; } = $"T{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        public TestApp App => Scenario.App;
        public TestWorld World => Scenario.World;

        public static async Task<Harness> StartAsync()
        {
            var slack = new FakeSlack().AddToken(Token).AddChannel(Channel);
            await slack.StartAsync();
            var scenario = await ReplyScenario.StartAsync(new Dictionary<string, string?>
            {
                ["Delivery:SlackApiBaseUrl"] = new Uri(slack.BaseAddress, "api/").ToString(),
                ["Slack:ResponseUrlBase"] = slack.BaseAddress.ToString(),
            });
            await AutomationSeeds.TemplateAsync(scenario.App, scenario.World);
            var route = await scenario.App.Host.PostAsync($"{scenario.World.AppPath}/routes", scenario.World.Token,
                new { channel = "slack", target = Channel, slackBotToken = Token });
            Assert.True(route.Status == 201, route.ToString());
            var harness = new Harness { Scenario = scenario, Slack = slack,
                RouteId = route.As<RouteResponse>().RouteId };
            await scenario.AnnounceReviewAsync();
            return harness;
        }

        public SlackMessage Message => Assert.Single(Slack.Messages);

        public Task<TestResponse> SendAsync(string body, DateTimeOffset? at = null,
            string secret = TestTokens.SlackSigningSecret) =>
            App.Host.SendAsync(HttpMethod.Post, Path, token: null, body,
                headers: SlackInteraction.Headers(secret, body, at ?? DateTimeOffset.UtcNow));

        public Task<TestResponse> ClickAsync(string actionId = SlackReplyBlocks.ReplyAction, string user = SlackUser) =>
            SendAsync(SlackInteraction.Click(Slack, Message, actionId, Team, user));

        public async Task LinkAsync(string? token = null, string user = SlackUser)
        {
            var link = new SlackLinkTokens(TestTokens.SlackSigningSecret).Create(Team, user,
                DateTimeOffset.UtcNow.AddMinutes(5));
            var linked = await App.Host.PostAsync("/api/slack-links", token ?? World.Token, new { token = link });
            Assert.True(linked.Status == 200, linked.ToString());
        }

        /// <summary>Plays the Slack message-update queue.</summary>
        public async Task<int> PlayUpdatesAsync()
        {
            var updated = 0;
            foreach (var update in App.Queue.Take<SlackMessageUpdate>(SlackQueues.SlackMessageUpdates))
            {
                updated += await App.Get<SlackMessageUpdater>().UpdateAsync(update, CancellationToken.None);
            }
            return updated;
        }

        public async ValueTask DisposeAsync()
        {
            await Scenario.DisposeAsync();
            await Slack.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_review_is_answered_from_Slack_end_to_end()
    {
        await using var h = await Harness.StartAsync();
        var buttons = JsonDocument.Parse(h.Message.BlocksJson).RootElement.EnumerateArray()
            .Single(b => b.GetProperty("type").GetString() == "actions").GetProperty("elements");
        Assert.Equal(["Reply", "Thanks"],
            buttons.EnumerateArray().Select(b => b.GetProperty("text").GetProperty("text").GetString()));

        // Not linked yet: an ephemeral explanation with a link, no modal, nothing written.
        Assert.Equal(200, (await h.ClickAsync()).Status);
        Assert.Empty(h.Slack.Views);
        var explanation = Assert.Single(h.Slack.Responses).Body;
        Assert.Equal("ephemeral", explanation.GetProperty("response_type").GetString());
        var token = Uri.UnescapeDataString(
            LinkToken().Match(explanation.GetProperty("text").GetString()!).Groups[1].Value);
        Assert.Null(await h.Scenario.RowAsync());

        // The member opens the link signed in to the SPA, which posts its token.
        var linked = await h.App.Host.PostAsync("/api/slack-links", h.World.Token, new { token });
        Assert.True(linked.Status == 200, linked.ToString());
        Assert.Equal((h.Team, SlackUser, h.World.UserId), (linked.Json.GetProperty("teamId").GetString(),
            linked.Json.GetProperty("slackUserId").GetString(), linked.Json.GetProperty("userId").GetString()));

        // A template quick pick opens the modal pre-filled from the template, inside the request.
        Assert.Equal(200, (await h.ClickAsync($"{SlackReplyBlocks.TemplateActionPrefix}0")).Status);
        var view = Assert.Single(h.Slack.Views);
        var input = view.View.GetProperty("blocks")[1].GetProperty("element");
        Assert.StartsWith("Hi , thanks for rating Acme Notes 2 stars", input.GetProperty("initial_value").GetString());
        Assert.Equal(3000, input.GetProperty("max_length").GetInt32());

        // The submission goes through the reply flow as the linked member.
        var submitted = await h.SendAsync(SlackInteraction.Submit(view, h.Team, SlackUser,
            "  Thanks, fixed in 2.1!  "));
        Assert.True(submitted.Status == 200 && submitted.Body.Length == 0, submitted.ToString());
        var reply = await h.Scenario.StateAsync();
        Assert.Equal(("Thanks, fixed in 2.1!", ReplyStatus.Queued, h.World.UserId), (reply.Body, reply.Status,
            reply.RequestedBy));
        Assert.Equal("slack", Assert.Single(await h.Scenario.HistoryAsync()).Via);
        Assert.Equal(1, await h.PlayUpdatesAsync());
        Assert.Contains("Reply queued", h.Slack.Updates[^1].BlocksJson);

        // App Store Connect gets it; the message says so.
        await h.Scenario.PlayQueueAsync();
        Assert.Single(h.Scenario.ResponseCalls("POST"));
        Assert.Equal(ReplyStatus.PendingPublish, (await h.Scenario.StateAsync()).Status);
        Assert.Equal(1, await h.PlayUpdatesAsync());
        var update = h.Slack.Updates[^1];
        Assert.Equal((Channel, h.Message.Ts), (update.Channel, update.Ts));
        Assert.Contains("Apple is reviewing it", update.BlocksJson);
        Assert.Contains("Thanks, fixed in 2.1!", update.BlocksJson);
    }

    [Fact]
    public async Task A_failed_reply_shows_its_reason_on_the_message()
    {
        await using var h = await Harness.StartAsync();
        await h.LinkAsync();
        await h.ClickAsync();
        h.Scenario.Asc.Fail(new InjectedFault(403, FakeAppStoreConnect.ErrorBody(403, "FORBIDDEN_ERROR", "Refused.")),
            match: r => r.Method == "POST");
        await h.SendAsync(SlackInteraction.Submit(Assert.Single(h.Slack.Views), h.Team, SlackUser, "Thanks!"));

        await h.Scenario.PlayQueueAsync();
        await h.PlayUpdatesAsync();

        Assert.Equal(ReplyStatus.Failed, (await h.Scenario.StateAsync()).Status);
        Assert.Contains("Reply failed", h.Slack.Updates[^1].BlocksJson);
    }

    public static TheoryData<string> BadSignatures => new() { "wrong secret", "stale", "future", "tampered",
        "missing" };

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task Requests_not_signed_by_Slack_within_5_minutes_answer_401_and_do_nothing(string kind)
    {
        await using var h = await Harness.StartAsync();
        await h.LinkAsync();
        var body = SlackInteraction.Click(h.Slack, h.Message, SlackReplyBlocks.ReplyAction, h.Team, SlackUser);
        var now = DateTimeOffset.UtcNow;

        var response = kind switch
        {
            "wrong secret" => await h.SendAsync(body, secret: "another-apps-secret"),
            "stale" => await h.SendAsync(body, now.AddMinutes(-5).AddSeconds(-5)),
            "future" => await h.SendAsync(body, now.AddMinutes(5).AddSeconds(5)),
            "tampered" => await h.App.Host.SendAsync(HttpMethod.Post, Path, null, body.Replace(SlackUser, "U0OTHER"),
                headers: SlackInteraction.Headers(TestTokens.SlackSigningSecret, body, now)),
            _ => await h.App.Host.SendAsync(HttpMethod.Post, Path, null, body),
        };

        Assert.True(response.Status == 401, response.ToString());
        Assert.Empty(h.Slack.Views);
        Assert.Empty(h.Slack.Responses);
    }

    [Fact]
    public async Task A_replayed_request_is_refused_once_its_5_minutes_are_over()
    {
        await using var h = await Harness.StartAsync();
        await h.LinkAsync();
        var view = await OpenModalAsync(h);
        var body = SlackInteraction.Submit(view, h.Team, SlackUser, "Thanks!");
        var signedAt = DateTimeOffset.UtcNow.AddMinutes(-4);
        var headers = SlackInteraction.Headers(TestTokens.SlackSigningSecret, body, signedAt);
        Assert.Equal(200, (await h.App.Host.SendAsync(HttpMethod.Post, Path, null, body, headers: headers)).Status);

        // The same bytes and headers, captured and sent again later.
        var later = ActivatorUtilities.CreateInstance<SlackFunctions>(h.App.Services,
            (TimeProvider)new ShiftedClock(TimeSpan.FromMinutes(2)));
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = h.App.Services };
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }
        var replay = await later.ReceiveSlackInteraction(context.Request, CancellationToken.None);

        Assert.Equal(401, ((Microsoft.AspNetCore.Mvc.ObjectResult)replay).StatusCode);
        Assert.Single(await h.Scenario.HistoryAsync());
    }

    [Fact]
    public void Slacks_worked_example_verifies()
    {
        const string body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
            + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
            + "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J"
            + "%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        const string signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
        var at = DateTimeOffset.FromUnixTimeSeconds(1531420618);
        var bytes = Encoding.UTF8.GetBytes(body);

        Assert.True(SlackSignature.IsValid(TestTokens.SlackSigningSecret, "1531420618", signature, bytes, at,
            TimeSpan.FromMinutes(5)));
        Assert.False(SlackSignature.IsValid(TestTokens.SlackSigningSecret, "1531420618", signature, bytes,
            at.AddSeconds(301), TimeSpan.FromMinutes(5)));
        Assert.False(SlackSignature.IsValid(TestTokens.SlackSigningSecret, "1531420619", signature, bytes, at,
            TimeSpan.FromMinutes(5)));
        Assert.False(SlackSignature.IsValid(TestTokens.SlackSigningSecret, "1531420618", signature.ToUpperInvariant(),
            bytes, at, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task A_reader_gets_an_explanation_and_no_form_and_a_role_lost_before_submitting_sends_nothing()
    {
        await using var h = await Harness.StartAsync();
        var reader = await AutomationSeeds.MemberAsync(h.App, h.World, ReviewHub.Accounts.MemberRoles.Reader);
        await h.LinkAsync(reader, "U0READER");

        Assert.Equal(200, (await h.ClickAsync(user: "U0READER")).Status);
        Assert.Empty(h.Slack.Views);
        Assert.Contains("does not allow replying",
            Assert.Single(h.Slack.Responses).Body.GetProperty("text").GetString());

        // The owner opens the form, then is linked away to a reader's identity before submitting.
        await h.LinkAsync();
        var view = await OpenModalAsync(h);
        await h.LinkAsync(reader);
        var submitted = await h.SendAsync(SlackInteraction.Submit(view, h.Team, SlackUser, "Thanks!"));
        Assert.Equal("errors", submitted.Json.GetProperty("response_action").GetString());
        Assert.Null(await h.Scenario.RowAsync());
        Assert.Empty(h.App.Queue.Sent<ReplySendMessage>(ReplyQueues.ReplySends));
    }

    [Fact]
    public async Task An_empty_or_too_long_submission_keeps_the_modal_open_with_the_error()
    {
        await using var h = await Harness.StartAsync();
        await h.LinkAsync();
        var view = await OpenModalAsync(h);

        var empty = await h.SendAsync(SlackInteraction.Submit(view, h.Team, SlackUser, "   "));
        var tooLong = await h.SendAsync(SlackInteraction.Submit(view, h.Team, SlackUser, new string('a',
            ReplyOptions.MaxBodyLength + 1)));

        Assert.Equal("Write a reply.",
            empty.Json.GetProperty("errors").GetProperty(SlackReplyBlocks.InputBlock).GetString());
        Assert.Contains("5970",
            tooLong.Json.GetProperty("errors").GetProperty(SlackReplyBlocks.InputBlock).GetString());
        Assert.Null(await h.Scenario.RowAsync());
    }

    [Fact]
    public async Task An_expired_trigger_tells_the_user_to_click_again()
    {
        await using var h = await Harness.StartAsync();
        await h.LinkAsync();
        h.Slack.TriggerLifetime = TimeSpan.Zero;

        Assert.Equal(200, (await h.ClickAsync()).Status);

        Assert.Empty(h.Slack.Views);
        Assert.Contains("Click Reply again", Assert.Single(h.Slack.Responses).Body.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_button_naming_another_accounts_review_or_channel_reaches_nothing()
    {
        await using var h = await Harness.StartAsync();
        await h.LinkAsync();
        var stranger = await TestWorld.CreateAsync(h.App);
        var forged = h.Message with
        {
            BlocksJson = h.Message.BlocksJson.Replace(h.World.AccountId, stranger.AccountId).Replace(h.World.AppId,
                stranger.AppId),
        };
        var elsewhere = h.Message with { Channel = "C0ELSEWHERE" };

        foreach (var message in new[] { forged, elsewhere })
        {
            var body = SlackInteraction.Click(h.Slack, message, SlackReplyBlocks.ReplyAction, h.Team, SlackUser);
            Assert.Equal(200, (await h.SendAsync(body)).Status);
        }

        Assert.Empty(h.Slack.Views);
        Assert.All(h.Slack.Responses, r => Assert.Contains("not connected", r.Body.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task A_link_ReviewHub_did_not_sign_or_that_expired_links_nobody()
    {
        await using var h = await Harness.StartAsync();
        var tokens = new SlackLinkTokens(TestTokens.SlackSigningSecret);
        var expired = tokens.Create(h.Team, SlackUser, DateTimeOffset.UtcNow.AddMinutes(-1));
        var forged = new SlackLinkTokens("another-secret").Create(h.Team, SlackUser,
            DateTimeOffset.UtcNow.AddMinutes(5));

        Assert.Equal(410, (await h.App.Host.PostAsync("/api/slack-links", h.World.Token,
            new { token = expired })).Status);
        Assert.Equal(400, (await h.App.Host.PostAsync("/api/slack-links", h.World.Token,
            new { token = forged })).Status);
        Assert.Equal(400, (await h.App.Host.PostAsync("/api/slack-links", h.World.Token,
            new { token = "not.a-token" })).Status);
        Assert.Null(await h.App.Get<SlackUserLinkStore>().UserIdAsync(h.Team, SlackUser, CancellationToken.None));
    }

    private static async Task<SlackView> OpenModalAsync(Harness h)
    {
        Assert.Equal(200, (await h.ClickAsync()).Status);
        return h.Slack.Views[^1];
    }

    [GeneratedRegex(@"token=([^|>]+)")]
    private static partial Regex LinkToken();
}
