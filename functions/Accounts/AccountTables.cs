namespace ReviewHub.Accounts;

/// <summary>The tables the Accounts feature owns: only its stores read or write them (docs/architecture.md,
/// "Who owns what"); other features ask it through the operations it offers.</summary>
internal static class AccountTables
{
    public const string Accounts = "Accounts";
    public const string Memberships = "Memberships";
    public const string UserAccounts = "UserAccounts";
    public const string EmailConfirmations = "EmailConfirmations";

    public static readonly IReadOnlyList<string> All = [Accounts, Memberships, UserAccounts, EmailConfirmations];
}
