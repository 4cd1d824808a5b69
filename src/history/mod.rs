//! Goal history read from git.
