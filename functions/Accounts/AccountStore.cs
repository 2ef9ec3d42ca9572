using Azure.Data.Tables;
using Microsoft.AspNetCore.Mvc;
using ReviewHub.Http;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Accounts;

/// <summary>Accounts and their members; the one place that answers "may this caller use this account?".</summary>
internal sealed class AccountStore(TableServiceClient tables, TimeProvider clock)
{
    private readonly TableClient accounts = tables.GetTableClient(AccountTables.Accounts);
    private readonly TableClient memberships = tables.GetTableClient(AccountTables.Memberships);
    private readonly TableClient userAccounts = tables.GetTableClient(AccountTables.UserAccounts);

    /// <summary>The account if the caller is a member of it; null otherwise, so callers answer 404 without leaking
    /// existence.</summary>
    public async Task<AccountEntity?> FindForMemberAsync(Caller caller, string accountId,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(accountId))
        {
            return null;
        }
        var membership = await memberships.FindAsync<MembershipEntity>(accountId, caller.UserId, cancellationToken);
        return membership is not null ? await GetAsync(accountId, cancellationToken) : null;
    }

    /// <summary>
    /// The account when the caller is a member of it, else the answer: 404 for a non-member or an unknown account
    /// (existence never leaks). The prelude of every endpoint under an account that any member may use
    /// (<see cref="FindForPermissionAsync"/> when the role matters).
    /// </summary>
    public async Task<Checked<AccountEntity>> AccessAsync(Caller caller, string accountId,
        CancellationToken cancellationToken) =>
        await FindForMemberAsync(caller, accountId, cancellationToken) is { } account
            ? Checked.Passed(account)
            : Checked.Failed<AccountEntity>(Problems.NotFound("No such account."));

    /// <summary>
    /// The account and the caller's role in it (the account row decides who owns it), or null for a non-member: callers
    /// answer 404 without leaking existence, and 403 when the role does not allow what is asked.
    /// </summary>
    public async Task<(AccountEntity Account, string Role)?> FindWithRoleAsync(
        Caller caller, string accountId, CancellationToken cancellationToken) =>
        await FindWithRoleAsync(caller.UserId, accountId, cancellationToken);

    /// <summary>As <see cref="FindWithRoleAsync(Caller, string, CancellationToken)"/> for a user id known otherwise
    /// (a linked Slack user).</summary>
    public async Task<(AccountEntity Account, string Role)?> FindWithRoleAsync(
        string userId, string accountId, CancellationToken cancellationToken)
    {
        var membership = await GetMembershipAsync(accountId, userId, cancellationToken);
        var account = membership is null ? null : await GetAsync(accountId, cancellationToken);
        return account is null ? null : (account, RoleOf(membership!, account));
    }

    /// <summary>
    /// Null when the caller's role in the account allows <paramref name="permission"/>; otherwise the answer: 404 for
    /// a non-member (existence never leaks), 403 for a member whose role does not allow it.
    /// </summary>
    public async Task<IActionResult?> FindForPermissionAsync(
        Caller caller, string accountId, AccountPermission permission, CancellationToken cancellationToken)
    {
        var member = await FindWithRoleAsync(caller, accountId, cancellationToken);
        if (member is null)
        {
            return Problems.NotFound("No such account.");
        }
        return MemberRoles.Allows(member.Value.Role, permission)
            ? null
            : AccountAccess.Denied(member.Value.Role, permission);
    }

    /// <summary>The role as the account row decides it: the owner is <see cref="AccountEntity.OwnerUserId"/>.</summary>
    public static string RoleOf(MembershipEntity membership, AccountEntity account) =>
        membership.RowKey == account.OwnerUserId ? MemberRoles.Owner
        : membership.Role == MemberRoles.Owner ? MemberRoles.Member
        : membership.Role;

    /// <summary>The account by id, for background work (owner emails); callers acting for a user use <see
    /// cref="FindForMemberAsync"/>.</summary>
    public async Task<AccountEntity?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(accountId))
        {
            return null;
        }
        return await accounts.FindAsync<AccountEntity>(accountId, AccountEntity.Row, cancellationToken);
    }

    public async Task<AccountEntity> CreateAsync(Caller caller, string name, string ownerEmail,
        CancellationToken cancellationToken)
    {
        var account = new AccountEntity
        {
            PartitionKey = Ids.New(),
            Name = name.Trim(),
            OwnerEmail = ownerEmail.Trim(),
            OwnerUserId = caller.UserId,
            CreatedAt = clock.GetUtcNow(),
        };
        await accounts.AddEntityAsync(account, cancellationToken);
        await userAccounts.UpsertEntityAsync(
            new UserAccountEntity { PartitionKey = caller.UserId, RowKey = account.AccountId }, TableUpdateMode.Replace,
            cancellationToken);
        await memberships.UpsertEntityAsync(new MembershipEntity
        {
            PartitionKey = account.AccountId,
            RowKey = caller.UserId,
            Email = caller.Email,
            Role = MemberRoles.Owner,
            AddedAt = account.CreatedAt,
        }, TableUpdateMode.Replace, cancellationToken);
        return account;
    }

    public Task<AccountEntity?> UpdateAsync(
        string accountId, UpdateAccountRequest request, CancellationToken cancellationToken) =>
        accounts.UpdateAsync<AccountEntity>(accountId, AccountEntity.Row, account =>
        {
            account.Name = request.Name?.Trim() ?? account.Name;
            account.OwnerEmail = request.OwnerEmail?.Trim() ?? account.OwnerEmail;
            return true;
        }, cancellationToken);

    /// <summary>
    /// Adds a member, or returns the existing membership unchanged (conditional insert: a concurrent add, or the
    /// owner's own row, is never overwritten).
    /// </summary>
    public async Task<MembershipEntity> AddMemberIfAbsentAsync(
        string accountId, string userId, string? email, CancellationToken cancellationToken,
        string role = MemberRoles.Member)
    {
        // Index first: a crash between the writes leaves an index row that grants nothing, never a member the index
        // misses.
        await userAccounts.UpsertEntityAsync(
            new UserAccountEntity { PartitionKey = userId, RowKey = accountId }, TableUpdateMode.Replace,
            cancellationToken);
        var member = new MembershipEntity
        {
            PartitionKey = accountId,
            RowKey = userId,
            Email = email,
            Role = role,
            AddedAt = clock.GetUtcNow(),
        };
        return await memberships.TryAddAsync(member, cancellationToken)
            ? member
            : (await GetMembershipAsync(accountId, userId, cancellationToken))!;
    }

    /// <summary>
    /// Makes <paramref name="newOwnerId"/> (a member) the owner. The account row decides who owns it and changes
    /// first, conditionally on the owner the caller saw; the membership roles follow it. Null when the owner changed
    /// meanwhile.
    /// </summary>
    public async Task<AccountEntity?> TransferOwnershipAsync(
        AccountEntity account, string newOwnerId, string ownerEmail, CancellationToken cancellationToken)
    {
        var previousOwnerId = account.OwnerUserId;
        var changed = false;
        var updated = await accounts.UpdateAsync<AccountEntity>(account.AccountId, AccountEntity.Row, row =>
        {
            changed = row.OwnerUserId == previousOwnerId;
            if (changed)
            {
                row.OwnerUserId = newOwnerId;
                row.OwnerEmail = ownerEmail;
            }
            return changed;
        }, cancellationToken);
        if (updated is null || !changed)
        {
            return null;
        }
        await SetRoleAsync(account.AccountId, newOwnerId, MemberRoles.Owner, cancellationToken);
        await SetRoleAsync(account.AccountId, previousOwnerId, MemberRoles.Member, cancellationToken);
        return updated;
    }

    /// <summary>
    /// Gives a member (not the owner: the caller checks) another assignable role; null when not a member.
    /// </summary>
    public Task<MembershipEntity?> ChangeRoleAsync(
        string accountId, string userId, string role, CancellationToken cancellationToken) =>
        TableKeys.IsValid(userId) ? SetRoleAsync(accountId, userId, role, cancellationToken)
        : Task.FromResult<MembershipEntity?>(null);

    private Task<MembershipEntity?> SetRoleAsync(string accountId, string userId, string role,
        CancellationToken cancellationToken) =>
        memberships.UpdateAsync<MembershipEntity>(accountId, userId, m =>
        {
            var differs = m.Role != role;
            m.Role = role;
            return differs;
        }, cancellationToken);

    public async Task<bool> RemoveMemberAsync(string accountId, string userId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(userId))
        {
            return false;
        }
        var membership = await memberships.FindAsync<MembershipEntity>(accountId, userId, cancellationToken);
        if (membership is null)
        {
            return false;
        }
        await memberships.DeleteEntityAsync(accountId, userId, cancellationToken: cancellationToken);
        await userAccounts.DeleteEntityAsync(userId, accountId, cancellationToken: cancellationToken);
        return true;
    }

    public async Task<MembershipEntity?> GetMembershipAsync(string accountId, string userId,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(accountId) || !TableKeys.IsValid(userId))
        {
            return null;
        }
        return await memberships.FindAsync<MembershipEntity>(accountId, userId, cancellationToken);
    }

    public async Task<IReadOnlyList<MembershipEntity>> ListMembersAsync(string accountId,
        CancellationToken cancellationToken)
    {
        var list = new List<MembershipEntity>();
        await foreach (var member in memberships.QueryRowsAsync<MembershipEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {accountId}"), cancellationToken: cancellationToken))
        {
            list.Add(member);
        }
        return list;
    }

    public async Task<IReadOnlyList<AccountEntity>> ListForUserAsync(Caller caller, CancellationToken cancellationToken)
    {
        var list = new List<AccountEntity>();
        await foreach (var index in userAccounts.QueryRowsAsync<UserAccountEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {caller.UserId}"), cancellationToken: cancellationToken))
        {
            var account = await FindForMemberAsync(caller, index.RowKey, cancellationToken);
            if (account is not null)
            {
                list.Add(account);
            }
        }
        return list;
    }
}
