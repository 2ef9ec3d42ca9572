namespace ReviewHub.Accounts;

internal enum EmailConfirmationStatus
{
    Pending,
    Confirmed,
}
