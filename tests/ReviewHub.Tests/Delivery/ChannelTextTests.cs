using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReviewHub.Apps;
using ReviewHub.Delivery;

namespace ReviewHub.Tests.Delivery;

/// <summary>
/// Text people chose survives every channel's escaping and limits: no split grapheme, no half escape, nothing lost.
/// </summary>
public sealed partial class ChannelTextTests
{
    private static ChannelSend Send(string? body, string appName = "Acme Notes", int reviews = 1)
    {
        var route = new RouteEntity
        {
            PartitionKey = new string('b', 32),
            RowKey = new string('c', 32),
            Channel = "Slack",
            Target = "C0123456789",
        };
        var app = new AppEntity
        {
            PartitionKey = new string('a', 32),
            RowKey = new string('b', 32),
            Name = appName,
            Territories = "USA",
        };
        var list = Enumerable
            .Range(0, reviews)
            .Select(i => new ReviewNotification(
                $"{1000 + i}",
                1,
                "Title",
                body,
                "reader",
                "USA",
                DateTimeOffset.Parse("2026-11-25T10:00:00Z", CultureInfo.InvariantCulture),
                $"https://app.reviewhub.test/reviews/{1000 + i}"
            ))
            .ToList();
        return new ChannelSend(route, app, list, "key", "https://app.reviewhub.test/reviews");
    }

    private static string SectionText(ChannelSend send, int index = 1) =>
        SlackChannel.Blocks(send)[index]!["text"]!["text"]!.GetValue<string>();

    [Fact]
    public void A_body_of_ampersands_keeps_the_byline_and_the_link_and_never_leaves_a_bare_ampersand()
    {
        var text = SectionText(Send(new string('&', 3000)));

        Assert.True(text.Length <= 3000, $"{text.Length}");
        Assert.Contains("_reader · App Store · USA · 2026-11-25_", text);
        Assert.EndsWith("<https://app.reviewhub.test/reviews/1000|Open in ReviewHub>", text);
        Assert.DoesNotMatch(BareAmpersand(), text);
    }

    [Fact]
    public void A_digest_cuts_each_body_after_escaping()
    {
        var text = SectionText(Send(new string('<', 400), reviews: 7));

        Assert.DoesNotMatch(BareAmpersand(), text);
        Assert.Contains("Open in ReviewHub>", text);
    }

    [Theory]
    [InlineData("😀")]
    [InlineData("👩‍👩‍👧‍👦")]
    [InlineData("e\u0301")]
    [InlineData("🇫🇷")]
    public void Truncation_never_splits_a_grapheme(string grapheme)
    {
        var body = string.Concat(Enumerable.Repeat(grapheme, 3000));

        var cut = ReviewText.Truncate(body, 2500);
        var section = SectionText(Send(body));

        Assert.DoesNotContain('\uFFFD', cut);
        Assert.True(cut.Length <= 2500);
        Assert.Equal(string.Concat(Enumerable.Repeat(grapheme, (cut.Length - 1) / grapheme.Length)) + "…", cut);
        Assert.True(
            Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(section)) == section,
            "a lone surrogate does not survive UTF-8"
        );
    }

    [Fact]
    public void The_slack_fallback_text_escapes_the_app_name()
    {
        var send = Send("fine", appName: "<!channel> & <https://evil.test|Acme>");

        var payloadText = SlackChannel.FallbackText(send);

        Assert.Equal("New 1-star review of &lt;!channel&gt; &amp; &lt;https://evil.test|Acme&gt;", payloadText);
    }

    [Theory]
    [InlineData("Acme\nBcc: victim@example.test")]
    [InlineData("Acme\r\nNotes")]
    [InlineData("Acme\u2028Notes")]
    [InlineData("Acme\tNotes")]
    public async Task App_names_with_line_breaks_or_control_characters_answer_400(string name)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        var registered = await app.Host.PostAsync(
            $"{world.AccountPath}/apps",
            world.Token,
            new
            {
                storeAppId = "424242",
                platform = "ios",
                name,
                territories = new[] { "USA" },
            }
        );
        var renamed = await app.Host.PatchAsync(world.AppPath, world.Token, new { name });

        Assert.True(registered.Status == 400, registered.ToString());
        Assert.True(renamed.Status == 400, renamed.ToString());
        Assert.Equal(
            "Acme Notes",
            JsonDocument
                .Parse((await app.Host.GetAsync(world.AppPath, world.Token)).Body)
                .RootElement.GetProperty("name")
                .GetString()
        );
    }

    /// <summary>An ampersand that does not start one of Slack's three escapes.</summary>
    [GeneratedRegex("&(?!amp;|lt;|gt;)")]
    private static partial Regex BareAmpersand();
}
