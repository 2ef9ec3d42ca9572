using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using ReviewHub.Http;
using ReviewHub.Security;

namespace ReviewHub.Accounts;

/// <summary>
/// The SPA's account endpoints: a signed-in user creates a team account; its one owner renames it, changes the owner
/// email, manages members and hands ownership to a member.
/// </summary>
internal sealed class AccountFunctions(
    AccountStore accounts,
    EmailConfirmationStore confirmations,
    IOptions<AccountLimitsOptions> limits
)
{
    [Function(nameof(CreateAccount))]
    public async Task<IActionResult> CreateAccount(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "accounts")] HttpRequest req,
        CancellationToken cancellationToken
    )
    {
        var read = await JsonRequest.ReadAsync<CreateAccountRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        var account = await accounts.CreateAsync(
            Caller.From(req),
            body.Name!,
            body.OwnerEmail!,
            cancellationToken
        );
        await confirmations.RequestAsync(account.AccountId, [account.OwnerEmail], cancellationToken);
        return new CreatedResult($"/api/accounts/{account.AccountId}", AccountResponse.From(account));
    }

    [Function(nameof(ListAccounts))]
    public async Task<IActionResult> ListAccounts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts")] HttpRequest req,
        CancellationToken cancellationToken
    )
    {
        var list = await accounts.ListForUserAsync(Caller.From(req), cancellationToken);
        return new OkObjectResult(new { items = list.Select(a => AccountResponse.From(a)) });
    }

    [Function(nameof(GetAccount))]
    public async Task<IActionResult> GetAccount(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts/{accountId}")] HttpRequest req,
        string accountId,
        CancellationToken cancellationToken
    )
    {
        if (!(await accounts.AccessAsync(Caller.From(req), accountId, cancellationToken))
            .TryGet(out var account, out var denied))
        {
            return denied;
        }
        return new OkObjectResult(
            AccountResponse.From(account, await accounts.ListMembersAsync(accountId, cancellationToken))
        );
    }

    /// <summary>
    /// Renames the account or changes the owner email (which then waits for its confirmation). Owner only.
    /// </summary>
    [Function(nameof(UpdateAccount))]
    public async Task<IActionResult> UpdateAccount(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "accounts/{accountId}")] HttpRequest req,
        string accountId,
        CancellationToken cancellationToken
    )
    {
        var (account, denied) = await RequireOwnerAsync(req, accountId, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<UpdateAccountRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        var updated = await accounts.UpdateAsync(account!.AccountId, body, cancellationToken);
        if (updated is null)
        {
            return Problems.NotFound("No such account.");
        }
        await confirmations.RequestAsync(updated.AccountId, [updated.OwnerEmail], cancellationToken);
        return new OkObjectResult(AccountResponse.From(updated));
    }

    /// <summary>
    /// Adds a member. Never changes an existing membership: the owner stays owner, a member stays as they are.
    /// </summary>
    [Function(nameof(AddAccountMember))]
    public async Task<IActionResult> AddAccountMember(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "accounts/{accountId}/members")]
            HttpRequest req, string accountId, CancellationToken cancellationToken)
    {
        var (account, denied) = await RequireOwnerAsync(req, accountId, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<AddMemberRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        var userId = body.UserId!.Trim();
        if (userId == account!.OwnerUserId)
        {
            return Problems.Conflict("This user is the account's owner. Ownership moves only through POST …/owner.");
        }
        var existing = await accounts.GetMembershipAsync(account.AccountId, userId, cancellationToken);
        if (existing is null && await MemberLimitProblemAsync(account.AccountId, cancellationToken) is { } full)
        {
            return full;
        }
        var member = existing ?? await accounts.AddMemberIfAbsentAsync(
            account.AccountId, userId, body.Email, cancellationToken, body.Role ?? MemberRoles.Member);
        return new OkObjectResult(MemberResponse.From(member, account));
    }

    private async Task<ObjectResult?> MemberLimitProblemAsync(string accountId, CancellationToken cancellationToken)
    {
        var max = limits.Value.MembersPerAccount;
        return (await accounts.ListMembersAsync(accountId, cancellationToken)).Count >= max
            ? AccountLimitsOptions.Exceeded(
                nameof(AccountLimitsOptions.MembersPerAccount), max, $"An account has at most {max} members.")
            : null;
    }

    /// <summary>Gives a member another role (approver, member, reader). Owner only; the owner's own role is not
    /// changed here (ownership moves through the transfer).</summary>
    [Function(nameof(ChangeAccountMemberRole))]
    public async Task<IActionResult> ChangeAccountMemberRole(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "accounts/{accountId}/members/{userId}/role")]
            HttpRequest req,
        string accountId,
        string userId,
        CancellationToken cancellationToken
    )
    {
        var (account, denied) = await RequireOwnerAsync(req, accountId, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<ChangeMemberRoleRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        if (userId == account!.OwnerUserId)
        {
            return Problems.Conflict("The owner's role changes only by handing the account over (POST …/owner).");
        }
        var member = await accounts.ChangeRoleAsync(accountId, userId, body.Role!, cancellationToken);
        return member is null
            ? Problems.NotFound("No such member.")
            : new OkObjectResult(MemberResponse.From(member, account));
    }

    [Function(nameof(RemoveAccountMember))]
    public async Task<IActionResult> RemoveAccountMember(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "accounts/{accountId}/members/{userId}")]
            HttpRequest req,
        string accountId,
        string userId,
        CancellationToken cancellationToken
    )
    {
        var (account, denied) = await RequireOwnerAsync(req, accountId, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }
        if (userId == account!.OwnerUserId)
        {
            return Problems.Conflict("The account's owner cannot be removed; transfer the ownership first.");
        }
        return await accounts.RemoveMemberAsync(accountId, userId, cancellationToken)
            ? new NoContentResult()
            : Problems.NotFound("No such member.");
    }

    /// <summary>
    /// The owner hands the account to one of its members, who becomes the owner; the previous owner stays a member.
    /// </summary>
    [Function(nameof(TransferAccountOwnership))]
    public async Task<IActionResult> TransferAccountOwnership(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "accounts/{accountId}/owner")] HttpRequest req,
        string accountId,
        CancellationToken cancellationToken
    )
    {
        var (account, denied) = await RequireOwnerAsync(req, accountId, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }
        var read = await JsonRequest.ReadAsync<TransferOwnershipRequest>(req, cancellationToken);
        if (!read.TryGet(out var body, out var problem))
        {
            return problem;
        }
        var userId = body.UserId!.Trim();
        return userId == account!.OwnerUserId
            ? await WithMembersAsync(account, cancellationToken)
            : await TransferAsync(account, userId, body.OwnerEmail?.Trim(), cancellationToken);
    }

    /// <summary>Hands the account to a member; the new owner's address gets a confirmation link.</summary>
    private async Task<IActionResult> TransferAsync(AccountEntity account, string userId, string? ownerEmail,
        CancellationToken cancellationToken)
    {
        var accountId = account.AccountId;
        var member = await accounts.GetMembershipAsync(accountId, userId, cancellationToken);
        if (member is null)
        {
            return Problems.Conflict("Only a member can become the owner: add them as a member first.");
        }
        ownerEmail ??= member.Email;
        if (ownerEmail is null)
        {
            var errors = new ValidationErrors();
            errors.Add("ownerEmail", "is required: the new owner has no email on record.");
            return Problems.Validation(errors);
        }
        var transferred = await accounts.TransferOwnershipAsync(account, userId, ownerEmail, cancellationToken);
        if (transferred is null)
        {
            return Problems.Conflict("The ownership changed meanwhile; reload the account.");
        }
        await confirmations.RequestAsync(accountId, [ownerEmail], cancellationToken);
        return await WithMembersAsync(transferred, cancellationToken);
    }

    private async Task<IActionResult> WithMembersAsync(AccountEntity account, CancellationToken cancellationToken) =>
        new OkObjectResult(
            AccountResponse.From(account, await accounts.ListMembersAsync(account.AccountId, cancellationToken)));

    /// <summary>
    /// The account if the caller is its owner (the account row decides); 404 for non-members, 403 for members.
    /// </summary>
    private async Task<(AccountEntity? Account, IActionResult? Denied)> RequireOwnerAsync(
        HttpRequest req,
        string accountId,
        CancellationToken cancellationToken
    )
    {
        var caller = Caller.From(req);
        if (!(await accounts.AccessAsync(caller, accountId, cancellationToken)).TryGet(out var account, out var denied))
        {
            return (null, denied);
        }
        return account.OwnerUserId == caller.UserId
            ? (account, null)
            : (null, Problems.Forbidden("Only the owner of the account can change it or manage its members."));
    }
}
