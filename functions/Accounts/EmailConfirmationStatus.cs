namespace ReviewHub.Accounts;

public enum EmailConfirmationStatus
{
    Pending,
    Confirmed,
}
