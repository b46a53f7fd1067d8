pub mod coming;
pub mod me;
pub mod not_found;
pub mod passkeys;
pub mod sign_in;
pub mod verify;
pub mod wallet;
