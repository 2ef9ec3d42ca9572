using System.Net;
using ReviewHub.Email;
using ReviewHub.Fakes;

namespace ReviewHub.Tests.Email;

/// <summary>The foundation's SendGrid sender against the fake SendGrid: acceptance, rate limits, outages, a refused
/// key, timeouts.</summary>
public sealed class SendGridEmailSenderTests : IAsyncLifetime
{
    private readonly FakeSendGrid sendGrid = new();
    private TestApp app = null!;

    private static readonly EmailMessage Message = new(["owner@customer.test"], "Hello", "Plain body",
        "<p>Html body</p>");

    public async Task InitializeAsync()
    {
        await sendGrid.StartAsync();
        app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Email:SendGridBaseUrl"] = sendGrid.BaseAddress.ToString().TrimEnd('/'),
            ["Email:Timeout"] = "00:00:02", // generous: a loaded CI machine must not time out the healthy attempt
        });
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await sendGrid.DisposeAsync();
    }

    private IEmailSender Sender => app.Get<IEmailSender>();

    [Fact]
    public async Task Subjects_are_sent_on_one_line_and_cut_between_graphemes_whatever_the_caller_passed()
    {
        var subject = "New review of Acme\r\nBcc: victim@example.test\u2028"
            + string.Concat(Enumerable.Repeat("😀", 300));

        await Sender.SendAsync(Message with { Subject = subject }, CancellationToken.None);

        var sent = Assert.Single(sendGrid.Emails).Subject;
        Assert.StartsWith("New review of Acme Bcc: victim@example.test 😀", sent);
        Assert.DoesNotContain('\n', sent);
        Assert.DoesNotContain('\uFFFD', sent);
        Assert.True(sent.Length <= 200, $"{sent.Length}");
        Assert.EndsWith("😀…", sent);
    }

    [Fact]
    public async Task An_accepted_message_returns_sendgrids_message_id_with_text_before_html()
    {
        var id = await Sender.SendAsync(Message, CancellationToken.None);

        var email = Assert.Single(sendGrid.Emails);
        Assert.Equal(email.MessageId, id);
        Assert.Equal("notifications@reviewhub.test", email.From);
        Assert.Equal(["owner@customer.test"], email.To);
        Assert.Equal(("Plain body", "<p>Html body</p>"), (email.PlainText, email.Html));
        Assert.Equal("Bearer SG.test-key", Assert.Single(sendGrid.Requests).Headers["Authorization"]);
    }

    [Fact]
    public async Task A_429_is_retried_after_retry_after_and_then_delivered()
    {
        sendGrid.Fail(FakeSendGrid.TooManyRequests(resetInSeconds: 1));

        await Sender.SendAsync(Message, CancellationToken.None);

        Assert.Equal(2, sendGrid.Requests.Count);
        Assert.Single(sendGrid.Emails);
    }

    [Fact]
    public async Task A_5xx_is_a_transient_failure_that_is_not_repeated_because_sendgrid_may_have_sent_the_mail()
    {
        sendGrid.Fail(new InjectedFault(503, FakeSendGrid.Errors(("unavailable", null))), times: 10);

        var failure = await Assert.ThrowsAsync<EmailDeliveryException>(() =>
            Sender.SendAsync(Message, CancellationToken.None));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failure.Status);
        Assert.False(failure.IsPermanent);
        Assert.Single(sendGrid.Requests); // the caller's retry (delivery queue, email activity) decides

        sendGrid.ClearFaults();
        await Sender.SendAsync(Message, CancellationToken.None);
        Assert.Single(sendGrid.Emails);
    }

    [Fact]
    public async Task A_refused_key_is_permanent_and_not_retried()
    {
        await using var revoked = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Email:SendGridBaseUrl"] = sendGrid.BaseAddress.ToString().TrimEnd('/'),
            ["Email:SendGridApiKey"] = "SG.revoked",
        });

        var failure = await Assert.ThrowsAsync<EmailDeliveryException>(() =>
            revoked.Get<IEmailSender>().SendAsync(Message, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, failure.Status);
        Assert.True(failure.IsPermanent);
        Assert.Single(sendGrid.Requests);
        Assert.Empty(sendGrid.Emails);
    }

    [Fact]
    public async Task A_hanging_sendgrid_times_out_and_the_attempt_is_not_repeated()
    {
        sendGrid.Fail(InjectedFault.Timeout(TimeSpan.FromSeconds(10)));

        await Assert.ThrowsAsync<Polly.Timeout.TimeoutRejectedException>(() =>
            Sender.SendAsync(Message, CancellationToken.None));

        Assert.Single(sendGrid.Requests);
        Assert.Empty(sendGrid.Emails);
    }
}
