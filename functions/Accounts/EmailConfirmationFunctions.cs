using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using ReviewHub.Http;
using ReviewHub.Security;

namespace ReviewHub.Accounts;

/// <summary>
/// Email confirmation: the queue function that sends links, the anonymous page a link opens (GET shows a button, POST
/// confirms, so a mail scanner that follows links confirms nothing), and the members' list and resend.
/// </summary>
internal sealed class EmailConfirmationFunctions(
    AccountStore accounts,
    EmailConfirmationStore store,
    EmailConfirmationSender sender,
    EmailConfirmationTokens tokens,
    IOptions<EmailConfirmationOptions> options,
    TimeProvider clock
)
{
    private const string LinkRoute = "email-confirmations/{token}";
    private const string AccountRoute = "accounts/{accountId}/email-confirmations";

    [Function(nameof(SendEmailConfirmation))]
    public Task SendEmailConfirmation(
        [QueueTrigger(AccountQueues.EmailConfirmations)] EmailConfirmationMessage message,
        CancellationToken cancellationToken
    ) => sender.SendAsync(message, cancellationToken);

    /// <summary>
    /// What a confirmation link opens: the address and a button; nothing changes until the button is pressed.
    /// </summary>
    [PublicEndpoint]
    [Function(nameof(ShowEmailConfirmation))]
    public IActionResult ShowEmailConfirmation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = LinkRoute)] HttpRequest req,
        string token
    )
    {
        var claim = tokens.Read(token);
        if (claim is null)
        {
            return InvalidLink();
        }
        return claim.ExpiresAt <= clock.GetUtcNow()
            ? ExpiredLink()
            : Page(
                $"<p>Send ReviewHub notifications to <b>{WebUtility.HtmlEncode(claim.Address)}</b>?</p>"
                    + "<form method=\"post\"><button type=\"submit\">Yes, confirm this address</button></form>"
                    + "<p>If you did not expect this, close this page: nothing will be sent.</p>"
            );
    }

    [PublicEndpoint]
    [Function(nameof(ConfirmEmail))]
    public async Task<IActionResult> ConfirmEmail(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = LinkRoute)] HttpRequest req,
        string token,
        CancellationToken cancellationToken
    )
    {
        var (outcome, claim) = await store.ConfirmAsync(token, cancellationToken);
        return outcome switch
        {
            ConfirmOutcome.Confirmed => Page(
                $"<p><b>{WebUtility.HtmlEncode(claim!.Address)}</b> is confirmed. "
                    + "ReviewHub notifications will arrive here.</p>"
            ),
            ConfirmOutcome.Expired => ExpiredLink(),
            ConfirmOutcome.Unknown => Problems.NotFound("This address is no longer waiting for a confirmation."),
            _ => InvalidLink(),
        };
    }

    [Function(nameof(ListEmailConfirmations))]
    public async Task<IActionResult> ListEmailConfirmations(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AccountRoute)] HttpRequest req,
        string accountId,
        CancellationToken cancellationToken
    )
    {
        if (await accounts.FindForPermissionAsync(Caller.From(req), accountId, AccountPermission.Read,
            cancellationToken) is { } denied)
        {
            return denied;
        }
        var rows = await store.ListAsync(accountId, cancellationToken);
        return new OkObjectResult(new { items = rows.Select(EmailConfirmationResponse.From) });
    }

    /// <summary>
    /// Sends the link again to an address the account already uses (owner email or a route recipient).
    /// </summary>
    [Function(nameof(ResendEmailConfirmation))]
    public async Task<IActionResult> ResendEmailConfirmation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = AccountRoute)] HttpRequest req,
        string accountId,
        CancellationToken cancellationToken
    )
    {
        if (await accounts.FindForPermissionAsync(Caller.From(req), accountId, AccountPermission.Read,
            cancellationToken) is { } denied)
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<ResendEmailConfirmationRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        var row = await store.GetAsync(accountId, body.Email!, cancellationToken);
        return row is null
            ? Problems.NotFound(
                "This account does not use that address (set it as the owner email or a route recipient).")
            : await ResendAsync(req.HttpContext, row, cancellationToken);
    }

    /// <summary>A new link unless the address is confirmed already or one went out moments ago.</summary>
    private async Task<IActionResult> ResendAsync(HttpContext context, EmailConfirmationEntity row,
        CancellationToken cancellationToken)
    {
        if (row.IsConfirmed)
        {
            return new OkObjectResult(EmailConfirmationResponse.From(row));
        }
        var wait = row.LastSentAt + options.Value.ResendInterval - clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            return Problems.TooManyRequests(
                context,
                wait.Value,
                "A link went to this address moments ago; check the inbox and spam folder."
            );
        }
        await store.RequestAsync(row.PartitionKey, [row.Address], cancellationToken);
        return new AcceptedResult((string?)null, EmailConfirmationResponse.From(row));
    }

    private static ObjectResult InvalidLink() =>
        Problems.BadRequest("This confirmation link is not valid. Use the newest link ReviewHub emailed you.");

    private static ObjectResult ExpiredLink() =>
        Problems.Create(
            StatusCodes.Status410Gone,
            "The link expired.",
            "This confirmation link expired. Ask for a new one in ReviewHub (account settings or the route)."
        );

    private static ContentResult Page(string body) =>
        new()
        {
            StatusCode = StatusCodes.Status200OK,
            ContentType = "text/html; charset=utf-8",
            Content =
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>ReviewHub email confirmation</title>"
                + $"<meta name=\"robots\" content=\"noindex\"></head><body>{body}</body></html>",
        };
}
