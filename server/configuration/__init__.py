"""The app's settings that a user chooses from its Settings screen: the database."""
