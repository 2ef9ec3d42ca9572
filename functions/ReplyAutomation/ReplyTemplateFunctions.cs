using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReviewHub.Accounts;
using ReviewHub.Apps;
using ReviewHub.Http;
using ReviewHub.Replies;
using ReviewHub.Security;
using ReviewHub.Reviews;

namespace ReviewHub.ReplyAutomation;

/// <summary>The account's reply templates: list, create, read, replace, delete, and preview for a review.</summary>
internal sealed class ReplyTemplateFunctions(
    AccountStore accounts, AppStore apps, ReviewReader reviewReader, ReplyTemplateStore templates,
    ReplyAutomationStore automation)
{
    private const string Route = "accounts/{accountId}/reply-templates";

    /// <summary>Templates an account may hold.</summary>
    public const int MaxTemplatesPerAccount = 200;

    [Function(nameof(ListReplyTemplates))]
    public async Task<IActionResult> ListReplyTemplates(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest req,
        string accountId, CancellationToken cancellationToken)
    {
        if (await accounts.FindForPermissionAsync(Caller.From(req), accountId, AccountPermission.Read,
            cancellationToken) is { } denied)
        {
            return denied;
        }
        var tag = req.Query["tag"].ToString();
        var list = (await templates.ListAsync(accountId, cancellationToken))
            .Where(t => tag.Length == 0 || t.TagList().Contains(tag, StringComparer.Ordinal))
            .OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase);
        return new OkObjectResult(new { items = list.Select(ReplyTemplateResponse.From) });
    }

    [Function(nameof(CreateReplyTemplate))]
    public async Task<IActionResult> CreateReplyTemplate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route)] HttpRequest req,
        string accountId, CancellationToken cancellationToken)
    {
        var caller = Caller.From(req);
        if (await accounts.FindForPermissionAsync(caller, accountId, AccountPermission.WriteReplies,
            cancellationToken) is { } denied)
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<ReplyTemplateRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        if ((await templates.ListAsync(accountId, cancellationToken)).Count >= MaxTemplatesPerAccount)
        {
            return AccountLimitsOptions.Exceeded("TemplatesPerAccount", MaxTemplatesPerAccount,
                $"An account has at most {MaxTemplatesPerAccount} reply templates.");
        }
        var template = await templates.CreateAsync(accountId, body, caller.UserId, cancellationToken);
        return new CreatedResult(
            $"/api/{Route.Replace("{accountId}", accountId, StringComparison.Ordinal)}/{template.RowKey}",
            ReplyTemplateResponse.From(template));
    }

    [Function(nameof(GetReplyTemplate))]
    public async Task<IActionResult> GetReplyTemplate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/{templateId}")] HttpRequest req,
        string accountId, string templateId, CancellationToken cancellationToken)
    {
        if (await accounts.FindForPermissionAsync(Caller.From(req), accountId, AccountPermission.Read,
            cancellationToken) is { } denied)
        {
            return denied;
        }
        var template = await templates.GetAsync(accountId, templateId, cancellationToken);
        return template is null ? NoSuchTemplate() : new OkObjectResult(ReplyTemplateResponse.From(template));
    }

    [Function(nameof(UpdateReplyTemplate))]
    public async Task<IActionResult> UpdateReplyTemplate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Route + "/{templateId}")] HttpRequest req,
        string accountId, string templateId, CancellationToken cancellationToken)
    {
        var caller = Caller.From(req);
        if (await accounts.FindForPermissionAsync(caller, accountId, AccountPermission.WriteReplies,
            cancellationToken) is { } denied)
        {
            return denied;
        }
        if (await templates.GetAsync(accountId, templateId, cancellationToken) is null)
        {
            return NoSuchTemplate();
        }
        var read = await JsonRequest.ReadAsync<ReplyTemplateRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        var template = await templates.ReplaceAsync(accountId, templateId, body, caller.UserId,
            cancellationToken);
        return template is null ? NoSuchTemplate() : new OkObjectResult(ReplyTemplateResponse.From(template));
    }

    /// <summary>Deletes a template no rule uses (409 names the need to change those rules first).</summary>
    [Function(nameof(DeleteReplyTemplate))]
    public async Task<IActionResult> DeleteReplyTemplate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Route + "/{templateId}")] HttpRequest req,
        string accountId, string templateId, CancellationToken cancellationToken)
    {
        if (await accounts.FindForPermissionAsync(Caller.From(req), accountId, AccountPermission.WriteReplies,
            cancellationToken) is { } denied)
        {
            return denied;
        }
        if (await templates.GetAsync(accountId, templateId, cancellationToken) is null)
        {
            return NoSuchTemplate();
        }
        if (await automation.TemplateInUseAsync(accountId, templateId, cancellationToken))
        {
            return Problems.Conflict("A reply rule uses this template; change or delete the rule first.");
        }
        return await templates.DeleteAsync(accountId, templateId, cancellationToken)
            ? new NoContentResult()
            : NoSuchTemplate();
    }

    /// <summary>
    /// Renders the template for a review of one of the account's apps and says whether the store accepts its length.
    /// </summary>
    [Function(nameof(PreviewReplyTemplate))]
    public async Task<IActionResult> PreviewReplyTemplate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route + "/{templateId}/preview")] HttpRequest req,
        string accountId, string templateId, CancellationToken cancellationToken)
    {
        var caller = Caller.From(req);
        if (await accounts.FindForPermissionAsync(caller, accountId, AccountPermission.Read,
            cancellationToken) is { } denied)
        {
            return denied;
        }
        var template = await templates.GetAsync(accountId, templateId, cancellationToken);
        if (template is null)
        {
            return NoSuchTemplate();
        }
        var read = await JsonRequest.ReadAsync<PreviewTemplateRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        return await PreviewAsync(accountId, template, body, cancellationToken);
    }

    private async Task<IActionResult> PreviewAsync(string accountId, ReplyTemplateEntity template,
        PreviewTemplateRequest body, CancellationToken cancellationToken)
    {
        var app = await apps.GetAsync(accountId, body.AppId!, cancellationToken);
        var review = app is null
            ? null
            : await reviewReader.FindForAccountAsync(accountId, app.AppId, body.ReviewId!, cancellationToken);
        if (review is null)
        {
            return Problems.NotFound("No such review in this account's apps.");
        }
        var text = ReplyPlaceholders.Render(template.Body, PlaceholderValues.For(review, app!)).Trim();
        var max = StoreLimits.MaxReplyLength(app!);
        var length = ReplyWriter.LengthOf(text);
        return new OkObjectResult(new TemplatePreviewResponse(text, length, max, length <= max,
            StoreLimits.StoreOf(app!)));
    }

    private static ObjectResult NoSuchTemplate() => Problems.NotFound("No such template.");
}
