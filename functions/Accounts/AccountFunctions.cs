using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReviewHub.Http;
using ReviewHub.Security;

namespace ReviewHub.Accounts;

/// <summary>The SPA's account endpoints: a signed-in user creates a team account and manages who belongs to it.</summary>
public sealed class AccountFunctions(AccountStore accounts)
{
    [Function(nameof(CreateAccount))]
    public async Task<IActionResult> CreateAccount(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "accounts")] HttpRequest req, CancellationToken cancellationToken)
    {
        var body = await JsonRequest.ReadAsync<CreateAccountRequest>(req, cancellationToken);
        if (!body.IsValid)
        {
            return body.Problem!;
        }
        var account = await accounts.CreateAsync(Caller.From(req), body.Value!.Name!, body.Value.OwnerEmail!, cancellationToken);
        return new CreatedResult($"/api/accounts/{account.AccountId}", AccountResponse.From(account));
    }

    [Function(nameof(ListAccounts))]
    public async Task<IActionResult> ListAccounts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts")] HttpRequest req, CancellationToken cancellationToken)
    {
        var list = await accounts.ListForUserAsync(Caller.From(req), cancellationToken);
        return new OkObjectResult(new { items = list.Select(a => AccountResponse.From(a)) });
    }

    [Function(nameof(GetAccount))]
    public async Task<IActionResult> GetAccount(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts/{accountId}")] HttpRequest req,
        string accountId, CancellationToken cancellationToken)
    {
        var account = await accounts.FindForMemberAsync(Caller.From(req), accountId, cancellationToken);
        if (account is null)
        {
            return Problems.NotFound("No such account.");
        }
        return new OkObjectResult(AccountResponse.From(account, await accounts.ListMembersAsync(accountId, cancellationToken)));
    }

    [Function(nameof(AddAccountMember))]
    public async Task<IActionResult> AddAccountMember(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "accounts/{accountId}/members")] HttpRequest req,
        string accountId, CancellationToken cancellationToken)
    {
        var (account, denied) = await RequireOwnerAsync(req, accountId, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }
        var body = await JsonRequest.ReadAsync<AddMemberRequest>(req, cancellationToken);
        if (!body.IsValid)
        {
            return body.Problem!;
        }
        var request = body.Value!;
        await accounts.AddMemberAsync(account!.AccountId, request.UserId!.Trim(), request.Email, request.Role ?? MemberRoles.Member, cancellationToken);
        var member = await accounts.GetMembershipAsync(account.AccountId, request.UserId.Trim(), cancellationToken);
        return new OkObjectResult(MemberResponse.From(member!));
    }

    [Function(nameof(RemoveAccountMember))]
    public async Task<IActionResult> RemoveAccountMember(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "accounts/{accountId}/members/{userId}")] HttpRequest req,
        string accountId, string userId, CancellationToken cancellationToken)
    {
        var (account, denied) = await RequireOwnerAsync(req, accountId, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }
        if (userId == account!.OwnerUserId)
        {
            return Problems.Conflict("The account's owner cannot be removed.");
        }
        return await accounts.RemoveMemberAsync(accountId, userId, cancellationToken)
            ? new NoContentResult()
            : Problems.NotFound("No such member.");
    }

    private async Task<(AccountEntity? Account, IActionResult? Denied)> RequireOwnerAsync(HttpRequest req, string accountId, CancellationToken cancellationToken)
    {
        var caller = Caller.From(req);
        var account = await accounts.FindForMemberAsync(caller, accountId, cancellationToken);
        if (account is null)
        {
            return (null, Problems.NotFound("No such account."));
        }
        var membership = await accounts.GetMembershipAsync(accountId, caller.UserId, cancellationToken);
        return membership?.Role == MemberRoles.Owner
            ? (account, null)
            : (null, Problems.Forbidden("Only an owner of the account can manage its members."));
    }
}
