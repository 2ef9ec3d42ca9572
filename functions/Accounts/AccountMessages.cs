using ReviewHub.Http;

namespace ReviewHub.Accounts;

public sealed record CreateAccountRequest(string? Name, string? OwnerEmail) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.SingleLine(Name, "name", 100);
        errors.Email(OwnerEmail, "ownerEmail");
    }
}

public sealed record AddMemberRequest(string? UserId, string? Email, string? Role) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Key(UserId, "userId", 128);
        if (Email is not null)
        {
            errors.Email(Email, "email");
        }
        if (Role is not null and not MemberRoles.Owner and not MemberRoles.Member)
        {
            errors.Add("role", $"must be '{MemberRoles.Owner}' or '{MemberRoles.Member}'.");
        }
    }
}

public sealed record MemberResponse(string UserId, string? Email, string Role, DateTimeOffset AddedAt)
{
    public static MemberResponse From(MembershipEntity m) => new(m.RowKey, m.Email, m.Role, m.AddedAt);
}

public sealed record AccountResponse(string AccountId, string Name, string OwnerEmail, DateTimeOffset CreatedAt, IReadOnlyList<MemberResponse>? Members = null)
{
    public static AccountResponse From(AccountEntity a, IReadOnlyList<MembershipEntity>? members = null) =>
        new(a.AccountId, a.Name, a.OwnerEmail, a.CreatedAt, members?.Select(MemberResponse.From).ToList());
}
