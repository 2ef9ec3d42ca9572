using ReviewHub.Http;

namespace ReviewHub.Accounts;

internal sealed record CreateAccountRequest(string? Name, string? OwnerEmail) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.SingleLine(Name, "name", 100);
        errors.Email(OwnerEmail, "ownerEmail");
    }
}

/// <summary>
/// Changes the account; absent fields keep their value. A new owner email waits for its confirmation.
/// </summary>
internal sealed record UpdateAccountRequest(string? Name, string? OwnerEmail) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Name is null && OwnerEmail is null)
        {
            errors.Add("body", "Send at least one of: name, ownerEmail.");
        }
        if (Name is not null)
        {
            errors.SingleLine(Name, "name", 100);
        }
        if (OwnerEmail is not null)
        {
            errors.Email(OwnerEmail, "ownerEmail");
        }
    }
}

/// <summary>
/// Adds a member. <c>role</c> is <c>member</c> (the default), <c>approver</c> or <c>reader</c>: an account has one
/// owner, and ownership moves only through <see cref="TransferOwnershipRequest"/>.
/// </summary>
internal sealed record AddMemberRequest(string? UserId, string? Email, string? Role) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Key(UserId, "userId", 128);
        if (Email is not null)
        {
            errors.Email(Email, "email");
        }
        ChangeMemberRoleRequest.ValidateRole(Role, errors, required: false);
    }
}

/// <summary>Gives a member another role; the owner's role changes only through the ownership transfer.</summary>
internal sealed record ChangeMemberRoleRequest(string? Role) : IValidatable
{
    public void Validate(ValidationErrors errors) => ValidateRole(Role, errors, required: true);

    internal static void ValidateRole(string? role, ValidationErrors errors, bool required)
    {
        if (role is null ? required : !MemberRoles.Assignable.Contains(role))
        {
            errors.Add("role", $"must be one of: {string.Join(", ", MemberRoles.Assignable)}: ownership moves only " +
                "through POST /api/accounts/{accountId}/owner.");
        }
    }
}

/// <summary>Hands the account to a member; <c>ownerEmail</c> defaults to the email on record for that member.</summary>
internal sealed record TransferOwnershipRequest(string? UserId, string? OwnerEmail) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Key(UserId, "userId", 128);
        if (OwnerEmail is not null)
        {
            errors.Email(OwnerEmail, "ownerEmail");
        }
    }
}

internal sealed record MemberResponse(string UserId, string? Email, string Role, DateTimeOffset AddedAt)
{
    /// <summary>The role as the account row decides it: the owner is <see cref="AccountEntity.OwnerUserId"/>.</summary>
    public static MemberResponse From(MembershipEntity m, AccountEntity account) =>
        new(m.RowKey, m.Email, AccountStore.RoleOf(m, account), m.AddedAt);
}

internal sealed record AccountResponse(string AccountId, string Name, string OwnerEmail, DateTimeOffset CreatedAt,
    IReadOnlyList<MemberResponse>? Members = null)
{
    public static AccountResponse From(AccountEntity a, IReadOnlyList<MembershipEntity>? members = null) =>
        new(a.AccountId, a.Name, a.OwnerEmail, a.CreatedAt,
            members?.Select(m => MemberResponse.From(m, a)).ToList());
}
