using Azure.Data.Tables;
using ReviewHub.Security;
using ReviewHub.Storage;

namespace ReviewHub.Accounts;

/// <summary>Accounts and their members; the one place that answers "may this caller use this account?".</summary>
public sealed class AccountStore(TableServiceClient tables, TimeProvider clock)
{
    private readonly TableClient accounts = tables.GetTableClient(TableNames.Accounts);
    private readonly TableClient memberships = tables.GetTableClient(TableNames.Memberships);
    private readonly TableClient userAccounts = tables.GetTableClient(TableNames.UserAccounts);

    /// <summary>The account if the caller is a member of it; null otherwise, so callers answer 404 without leaking existence.</summary>
    public async Task<AccountEntity?> FindForMemberAsync(Caller caller, string accountId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(accountId))
        {
            return null;
        }
        var membership = await memberships.GetEntityIfExistsAsync<MembershipEntity>(accountId, caller.UserId, cancellationToken: cancellationToken);
        return membership.HasValue ? await GetAsync(accountId, cancellationToken) : null;
    }

    /// <summary>The account by id, for background work (owner emails); callers acting for a user use <see cref="FindForMemberAsync"/>.</summary>
    public async Task<AccountEntity?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(accountId))
        {
            return null;
        }
        var account = await accounts.GetEntityIfExistsAsync<AccountEntity>(accountId, AccountEntity.Row, cancellationToken: cancellationToken);
        return account.HasValue ? account.Value : null;
    }

    public async Task<AccountEntity> CreateAsync(Caller caller, string name, string ownerEmail, CancellationToken cancellationToken)
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
        await AddMemberAsync(account.AccountId, caller.UserId, caller.Email, MemberRoles.Owner, cancellationToken);
        return account;
    }

    public async Task AddMemberAsync(string accountId, string userId, string? email, string role, CancellationToken cancellationToken)
    {
        // Index first: a crash between the writes leaves an index row that grants nothing, never a member the index misses.
        await userAccounts.UpsertEntityAsync(new UserAccountEntity { PartitionKey = userId, RowKey = accountId }, TableUpdateMode.Replace, cancellationToken);
        await memberships.UpsertEntityAsync(
            new MembershipEntity { PartitionKey = accountId, RowKey = userId, Email = email, Role = role, AddedAt = clock.GetUtcNow() },
            TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<bool> RemoveMemberAsync(string accountId, string userId, CancellationToken cancellationToken)
    {
        var membership = await memberships.GetEntityIfExistsAsync<MembershipEntity>(accountId, userId, cancellationToken: cancellationToken);
        if (!membership.HasValue)
        {
            return false;
        }
        await memberships.DeleteEntityAsync(accountId, userId, cancellationToken: cancellationToken);
        await userAccounts.DeleteEntityAsync(userId, accountId, cancellationToken: cancellationToken);
        return true;
    }

    public async Task<MembershipEntity?> GetMembershipAsync(string accountId, string userId, CancellationToken cancellationToken)
    {
        var membership = await memberships.GetEntityIfExistsAsync<MembershipEntity>(accountId, userId, cancellationToken: cancellationToken);
        return membership.HasValue ? membership.Value : null;
    }

    public async Task<IReadOnlyList<MembershipEntity>> ListMembersAsync(string accountId, CancellationToken cancellationToken)
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
