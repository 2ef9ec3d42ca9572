using System.Text.RegularExpressions;
using ReviewHub.Accounts;
using ReviewHub.Fakes;

namespace ReviewHub.Tests.Infrastructure;

/// <summary>
/// Plays the people who receive confirmation links, through the real path: the queued confirmation messages run through
/// the real sender (to the fake SendGrid), each link's confirm button is pressed through the API, and those emails are
/// then forgotten so tests count only what came after. No production code is bypassed.
/// </summary>
internal static partial class ConfirmedEmails
{
    public static async Task ConfirmAllAsync(TestApp app, FakeSendGrid sendGrid)
    {
        foreach (var message in app.Queue.Take<EmailConfirmationMessage>(AccountQueues.EmailConfirmations))
        {
            await app.Get<EmailConfirmationSender>().SendAsync(message, CancellationToken.None);
        }
        foreach (var email in sendGrid.Emails.Where(IsConfirmation))
        {
            var confirmed = await app.Host.PostAsync(new Uri(LinkIn(email.PlainText!)).AbsolutePath, token: null);
            Assert.True(confirmed.Status == 200, confirmed.ToString());
        }
        sendGrid.Forget(IsConfirmation);
        sendGrid.ClearRequests();
    }

    /// <summary>
    /// Presses the confirm button of the link the sender would have mailed to <paramref name="address"/>, for tests
    /// whose email provider refuses every message (the link is made with the app's own signing key, as the sender makes
    /// it).
    /// </summary>
    public static async Task FollowLinkAsync(TestApp app, string accountId, string address)
    {
        var token = app.Get<EmailConfirmationTokens>()
            .Create(new EmailConfirmationClaim(accountId, address, DateTimeOffset.UtcNow.AddHours(1)));
        var confirmed = await app.Host.PostAsync($"/api/email-confirmations/{token}", token: null);
        Assert.True(confirmed.Status == 200, confirmed.ToString());
    }

    public static bool IsConfirmation(SentEmail email) => email.Subject == EmailConfirmationSender.Subject;

    /// <summary>The confirmation link in an email's plain text.</summary>
    public static string LinkIn(string text) =>
        Link().Match(text) is { Success: true } match
            ? match.Value
            : throw new InvalidOperationException($"No confirmation link in: {text}");

    [GeneratedRegex(@"https?://[^\s/]+(/[^\s/]+)*/email-confirmations/[A-Za-z0-9._-]+")]
    private static partial Regex Link();
}
