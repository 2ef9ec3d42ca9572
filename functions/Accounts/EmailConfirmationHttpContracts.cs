namespace ReviewHub.Accounts;

/// <summary>An address's confirmation as the API shows it.</summary>
internal sealed record EmailConfirmationResponse(
    string Email,
    string Status,
    DateTimeOffset RequestedAt,
    DateTimeOffset? LastSentAt,
    DateTimeOffset? ConfirmedAt
)
{
    public static EmailConfirmationResponse From(EmailConfirmationEntity row) =>
        new(row.Address, row.IsConfirmed ? "confirmed" : "pending", row.RequestedAt, row.LastSentAt, row.ConfirmedAt);
}

internal sealed record ResendEmailConfirmationRequest(string? Email) : Http.IValidatable
{
    public void Validate(Http.ValidationErrors errors) => errors.Email(Email, "email");
}
