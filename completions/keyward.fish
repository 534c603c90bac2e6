# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_keyward_global_optspecs
    string join \n vault= k/keychain= json no-input accept-rollback q/quiet v/verbose color= h/help V/version
end

function __fish_keyward_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_keyward_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_keyward_using_subcommand
    set -l cmd (__fish_keyward_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c keyward -n "__fish_keyward_needs_command" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_needs_command" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_needs_command" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_needs_command" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_needs_command" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_needs_command" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_needs_command" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_needs_command" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "init" -d 'Create the vault and its master key'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "keychain" -d 'Create, list and remove keychains; rotate their bearer tokens'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "secret" -d 'Store, list, remove and read secrets'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "new" -d 'Write a new package\'s instant.package.json (never overwrites one)'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "install" -d 'Install or update a package: pin its code and approve the keys it requests'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "approve" -d 'Approve keys the package\'s manifest requests'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "revoke" -d 'Revoke approved keys'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "uninstall" -d 'Remove a package and all its grants'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "list" -d 'List the keychain\'s packages with their state'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "inspect" -d 'Show a package: manifest, pin, current digest, and each key\'s state'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "status" -d 'What needs the owner: unapproved requests, missing values, changed packages'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "config" -d 'Export or apply the keychain\'s grants as a JSON file'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "run" -d 'Verify a package and launch it with exactly its approved keys'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "key" -d 'Inside a package started by `keyward run`: print one of its granted keys'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "report" -d 'Per package and key: when it was granted, last run, last read, grants never read'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "log" -d 'Show the keychain\'s audit log, or verify its HMAC chain'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "rekey" -d 'Move the vault\'s master key to another backend (owner)'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "mcp" -d 'Put MCP servers behind keyward: add, import and list client config entries'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "serve" -d 'Serve installed packages over HTTP to keychain-token holders (the gateway)'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "endpoints" -d 'Show or change which endpoints of a package the gateway serves'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "completions" -d 'Print a completion script'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "digest" -d 'Print the kw1 digest of a folder (for benchmarks and other implementations)'
complete -c keyward -n "__fish_keyward_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand init" -l backend -d 'Where the master key is kept' -r -f -a "keyring\t'The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager)'
passphrase\t'Wrapped under Argon2id of a passphrase stored nowhere'
env\t'Printed once at init; supplied later in KEYWARD_MASTER_KEY'
openbao\t'Wrapped by an OpenBao (or HashiCorp Vault) Transit key; only the ciphertext is kept'"
complete -c keyward -n "__fish_keyward_using_subcommand init" -l transit-key -d 'With `--backend openbao`: the Transit key that wraps the master key (default `keyward`; `MOUNT/NAME` for a Transit engine not mounted at `transit`)' -r
complete -c keyward -n "__fish_keyward_using_subcommand init" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand init" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand init" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand init" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand init" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand init" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand init" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand init" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand init" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -f -a "create" -d 'Create a keychain and print its bearer token once, alone on stdout'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -f -a "list" -d 'List keychains: name, tokens, secrets, creation time'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -f -a "rm" -d 'Remove a keychain with all its secrets and tokens'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -f -a "token" -d 'Issue a new bearer token; the old one stops working at once'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and not __fish_seen_subcommand_from create list rm token help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from create" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from create" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from create" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from create" -l no-token -d 'Create it without a token (rotate one in later)'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from create" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from create" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from create" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from list" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from list" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from list" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from rm" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from rm" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from rm" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from rm" -s y -l yes -d 'Do not ask for confirmation'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from rm" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from rm" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from rm" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from token" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from token" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from token" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from token" -l rotate -d 'Required: confirms that the current token will stop working'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from token" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from token" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from token" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from token" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from token" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from token" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a keychain and print its bearer token once, alone on stdout'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from help" -f -a "list" -d 'List keychains: name, tokens, secrets, creation time'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a keychain with all its secrets and tokens'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from help" -f -a "token" -d 'Issue a new bearer token; the old one stops working at once'
complete -c keyward -n "__fish_keyward_using_subcommand keychain; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -f -a "set" -d 'Store a secret: prompted without echo, or from --stdin or --from-env'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -f -a "list" -d 'List secret names, versions and dates; never values'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -f -a "sync" -d 'Re-read secrets sourced from OpenBao and store a new version where the KV version moved'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -f -a "rm" -d 'Remove a secret'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -f -a "get" -d 'Print one secret\'s value (owner only)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and not __fish_seen_subcommand_from set list sync rm get help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -l from-env -d 'Read the value from this environment variable of keyward\'s own process' -r
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -l from-openbao -d 'Read the value from OpenBao / HashiCorp Vault KV v2 (BAO_ADDR, BAO_TOKEN or an AppRole) and remember the source, so `secret sync` can follow it' -r
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -l stdin -d 'Read the value from standard input (one trailing newline is dropped)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from list" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from list" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from list" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from sync" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from sync" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from sync" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from sync" -l all -d 'Every sourced secret of the keychain'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from sync" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from sync" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from sync" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from sync" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from sync" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from sync" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from rm" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from rm" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from rm" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from rm" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from rm" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from rm" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from get" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from get" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from get" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from get" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from get" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from get" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from get" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from get" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "set" -d 'Store a secret: prompted without echo, or from --stdin or --from-env'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "list" -d 'List secret names, versions and dates; never values'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "sync" -d 'Re-read secrets sourced from OpenBao and store a new version where the KV version moved'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a secret'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "get" -d 'Print one secret\'s value (owner only)'
complete -c keyward -n "__fish_keyward_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand new" -l name -d 'Package name, `name` or `@scope/name` [default: the folder\'s name]' -r
complete -c keyward -n "__fish_keyward_using_subcommand new" -l key -d 'A key the package requests, e.g. STRIPE_SECRET_KEY (repeatable)' -r
complete -c keyward -n "__fish_keyward_using_subcommand new" -l run -d 'The command to launch: every argument after --run [default: sh ./run.sh]' -r
complete -c keyward -n "__fish_keyward_using_subcommand new" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand new" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand new" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand new" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand new" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand new" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand new" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand new" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand new" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand new" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand install" -l manifest -d 'Registry package that declares no keys: the manifest you wrote for it' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand install" -l key -d 'Registry package that declares no keys: a key it needs (repeatable)' -r
complete -c keyward -n "__fish_keyward_using_subcommand install" -l run -d 'Registry package: the command to launch, every argument after --run (`./` is its store folder) [default: node + its bin, or its console script]' -r
complete -c keyward -n "__fish_keyward_using_subcommand install" -l approve -d 'Approve this requested key (repeatable)' -r
complete -c keyward -n "__fish_keyward_using_subcommand install" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand install" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand install" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand install" -l allow-build -d 'PyPI package: let pip build source distributions (their build scripts then run on this machine, as you); without it only wheels are installed'
complete -c keyward -n "__fish_keyward_using_subcommand install" -l approve-all -d 'Approve every key the manifest requests'
complete -c keyward -n "__fish_keyward_using_subcommand install" -s y -l yes -d 'Do not ask; approve only what --approve / --approve-all name'
complete -c keyward -n "__fish_keyward_using_subcommand install" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand install" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand install" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand install" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand install" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand install" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand approve" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand approve" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand approve" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand approve" -l all -d 'Every key the manifest requests'
complete -c keyward -n "__fish_keyward_using_subcommand approve" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand approve" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand approve" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand approve" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand approve" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand approve" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand revoke" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand revoke" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand revoke" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand revoke" -l all -d 'Every key the manifest requests'
complete -c keyward -n "__fish_keyward_using_subcommand revoke" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand revoke" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand revoke" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand revoke" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand revoke" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand revoke" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand uninstall" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand uninstall" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand uninstall" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand uninstall" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand uninstall" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand uninstall" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand uninstall" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand uninstall" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand uninstall" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand uninstall" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand list" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand list" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand list" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand list" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand list" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand list" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand list" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand list" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand list" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand inspect" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand inspect" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand inspect" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand inspect" -l diff -d 'List files added, removed and changed since the pin'
complete -c keyward -n "__fish_keyward_using_subcommand inspect" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand inspect" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand inspect" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand inspect" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand inspect" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand status" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand status" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand status" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand status" -l check -d 'Exit 5 when anything is pending'
complete -c keyward -n "__fish_keyward_using_subcommand status" -l remote -d 'Also ask OpenBao whether sourced secrets moved since their last sync'
complete -c keyward -n "__fish_keyward_using_subcommand status" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand status" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand status" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand status" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand status" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand status" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -f -a "export" -d 'Print the keychain\'s packages and grants as JSON, or write them to a file'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -f -a "apply" -d 'Make the keychain match a config file (declarative, idempotent, all or nothing)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and not __fish_seen_subcommand_from export apply help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from export" -s o -l output -d 'Write the config to FILE (paths relative to its folder) instead of stdout' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from export" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from export" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from export" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from export" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from export" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from export" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from apply" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from apply" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from apply" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from apply" -l prune -d 'Uninstall packages the file does not name'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from apply" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from apply" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from apply" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from apply" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from apply" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from apply" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "export" -d 'Print the keychain\'s packages and grants as JSON, or write them to a file'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "apply" -d 'Make the keychain match a config file (declarative, idempotent, all or nothing)'
complete -c keyward -n "__fish_keyward_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand run" -l deliver -d 'How the keys reach the package, for this run [default: the manifest\'s `deliver`, else env]' -r -f -a "env\t'Environment variables (the default)'
files\t'0400 files in a private run folder'
socket\t'A unix socket, one checked and audited read at a time'"
complete -c keyward -n "__fish_keyward_using_subcommand run" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand run" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand run" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand run" -l no-mask -d 'Replace keyward with the package (exec): no output masking, no extra process'
complete -c keyward -n "__fish_keyward_using_subcommand run" -l inherit-env -d 'Pass the caller\'s whole environment instead of the allowlist'
complete -c keyward -n "__fish_keyward_using_subcommand run" -l rehash -d 'Read and hash every file of the package, ignoring the verification cache'
complete -c keyward -n "__fish_keyward_using_subcommand run" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand run" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand run" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand run" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand run" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand run" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand key" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand key" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand key" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand key" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand key" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand key" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand key" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand key" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand key" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand key" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand report" -l package -d 'Only this package' -r
complete -c keyward -n "__fish_keyward_using_subcommand report" -l since -d 'The period starts here: YYYY-MM-DD (UTC) or RFC 3339 [default: everything]' -r
complete -c keyward -n "__fish_keyward_using_subcommand report" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand report" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand report" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand report" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand report" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand report" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand report" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand report" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand report" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand log" -l package -d 'Only entries about this package' -r
complete -c keyward -n "__fish_keyward_using_subcommand log" -l limit -d 'Only the newest N entries' -r
complete -c keyward -n "__fish_keyward_using_subcommand log" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand log" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand log" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand log" -l verify -d 'Check the HMAC chain; exit 7 naming the first bad entry'
complete -c keyward -n "__fish_keyward_using_subcommand log" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand log" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand log" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand log" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand log" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand log" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand rekey" -l backend -d 'Where the master key is to be kept from now on' -r -f -a "keyring\t'The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager)'
passphrase\t'Wrapped under Argon2id of a passphrase stored nowhere'
env\t'Printed once at init; supplied later in KEYWARD_MASTER_KEY'
openbao\t'Wrapped by an OpenBao (or HashiCorp Vault) Transit key; only the ciphertext is kept'"
complete -c keyward -n "__fish_keyward_using_subcommand rekey" -l transit-key -d 'With `--backend openbao`: the Transit key that wraps the master key (default `keyward`; `MOUNT/NAME` for a Transit engine not mounted at `transit`)' -r
complete -c keyward -n "__fish_keyward_using_subcommand rekey" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand rekey" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand rekey" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand rekey" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand rekey" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand rekey" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand rekey" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand rekey" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand rekey" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand rekey" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -f -a "add" -d 'Add a server entry that runs an installed package through keyward'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -f -a "import" -d 'Move literal keys out of client configs into the vault, and guard the servers'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -f -a "bridge" -d 'A stdio MCP server that forwards to a remote (HTTP) MCP server'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -f -a "list" -d 'Every server in every client config found: guarded by keyward or not, and which still hold literal keys (names only)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and not __fish_seen_subcommand_from add import bridge list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -l client -d 'Which client\'s config to write' -r -f -a "claude-code\t'Claude Code: ~/.claude.json (also per project), .mcp.json'
claude-desktop\t'Claude Desktop: claude_desktop_config.json'
cursor\t'Cursor: ~/.cursor/mcp.json, .cursor/mcp.json'
vscode\t'VS Code: the user profile\'s mcp.json, .vscode/mcp.json (JSONC)'
codex\t'Codex: ~/.codex/config.toml'"
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -l scope -d 'The user\'s config, the project\'s (the current folder), or (Claude Code) the current folder\'s entry in ~/.claude.json' -r -f -a "user\t'The user\'s own config file'
project\t'The project\'s config file, in the current folder'
local\t'Claude Code only: the current folder\'s entry in ~/.claude.json (`projects[PATH].mcpServers`), as `claude mcp add --scope local` writes'"
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -l name -d 'Server name in the config [default: the package\'s name without its scope]' -r
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -l client -d 'Only this client\'s configs (or: the client FILE belongs to)' -r -f -a "claude-code\t'Claude Code: ~/.claude.json (also per project), .mcp.json'
claude-desktop\t'Claude Desktop: claude_desktop_config.json'
cursor\t'Cursor: ~/.cursor/mcp.json, .cursor/mcp.json'
vscode\t'VS Code: the user profile\'s mcp.json, .vscode/mcp.json (JSONC)'
codex\t'Codex: ~/.codex/config.toml'"
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -l pin -d 'The exact version for a server whose command floats: SERVER=VERSION (repeatable)' -r
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -l dry-run -d 'Print the plan and the config diff (values concealed); change nothing'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -l undo -d 'Put FILE back from FILE.keyward-backup, values read from the vault'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -l url -d 'The remote MCP server\'s URL' -r
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -l header -d 'A header to send, `NAME: VALUE`; `${KEY}` in VALUE is read from the environment (repeatable)' -r
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -l transport -d 'The remote transport' -r -f -a "streamable-http\t'Streamable HTTP (MCP 2025-03-26 and later): one POST per message'
sse\t'HTTP+SSE (MCP 2024-11-05): a GET event stream and POSTs to its endpoint'"
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from bridge" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from list" -l client -d 'Only this client\'s configs' -r -f -a "claude-code\t'Claude Code: ~/.claude.json (also per project), .mcp.json'
claude-desktop\t'Claude Desktop: claude_desktop_config.json'
cursor\t'Cursor: ~/.cursor/mcp.json, .cursor/mcp.json'
vscode\t'VS Code: the user profile\'s mcp.json, .vscode/mcp.json (JSONC)'
codex\t'Codex: ~/.codex/config.toml'"
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from list" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from list" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from list" -l check -d 'Exit 5 while any server holds a literal key'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from list" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a server entry that runs an installed package through keyward'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "import" -d 'Move literal keys out of client configs into the vault, and guard the servers'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "bridge" -d 'A stdio MCP server that forwards to a remote (HTTP) MCP server'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every server in every client config found: guarded by keyward or not, and which still hold literal keys (names only)'
complete -c keyward -n "__fish_keyward_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand serve" -l listen -d 'Address to listen on (repeatable) [default: 127.0.0.1:7777 and [::1]:7777]' -r
complete -c keyward -n "__fish_keyward_using_subcommand serve" -l tls-cert -d 'PEM certificate chain: serve HTTPS (needed for a non-loopback address)' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand serve" -l tls-key -d 'PEM private key of --tls-cert' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand serve" -l max-concurrent -d 'Requests served at once, in all [default: 256]' -r
complete -c keyward -n "__fish_keyward_using_subcommand serve" -l max-per-package -d 'Requests served at once, per package [default: 64]' -r
complete -c keyward -n "__fish_keyward_using_subcommand serve" -l max-body -d 'Largest request body, in bytes [default: 1 MiB]' -r
complete -c keyward -n "__fish_keyward_using_subcommand serve" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand serve" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand serve" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand serve" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand serve" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand serve" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand serve" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand serve" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand serve" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -l enable -d 'Enable an endpoint, "METHOD /path" (repeatable)' -r
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -l disable -d 'Disable an endpoint, "METHOD /path" (repeatable)' -r
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -l all -d 'Enable every endpoint (the default)'
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand endpoints" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand completions" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand completions" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand completions" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand completions" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand completions" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand completions" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand completions" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand completions" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand completions" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand digest" -l vault -d 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]' -r -F
complete -c keyward -n "__fish_keyward_using_subcommand digest" -s k -l keychain -d 'Keychain to act on [default: default, or the token\'s keychain]' -r
complete -c keyward -n "__fish_keyward_using_subcommand digest" -l color -d 'When to use colour' -r -f -a "auto\t'Colour when stderr/stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c keyward -n "__fish_keyward_using_subcommand digest" -l json -d 'Print one JSON document instead of text (errors too, on stderr)'
complete -c keyward -n "__fish_keyward_using_subcommand digest" -l no-input -d 'Never prompt; fail with exit 5 when input would be needed'
complete -c keyward -n "__fish_keyward_using_subcommand digest" -l accept-rollback -d 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
complete -c keyward -n "__fish_keyward_using_subcommand digest" -s q -l quiet -d 'Print only errors and the data asked for'
complete -c keyward -n "__fish_keyward_using_subcommand digest" -s v -l verbose -d 'Explain what keyward does (names and ids only, never values)'
complete -c keyward -n "__fish_keyward_using_subcommand digest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c keyward -n "__fish_keyward_using_subcommand digest" -s V -l version -d 'Print version'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "init" -d 'Create the vault and its master key'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "keychain" -d 'Create, list and remove keychains; rotate their bearer tokens'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "secret" -d 'Store, list, remove and read secrets'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "new" -d 'Write a new package\'s instant.package.json (never overwrites one)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "install" -d 'Install or update a package: pin its code and approve the keys it requests'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "approve" -d 'Approve keys the package\'s manifest requests'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "revoke" -d 'Revoke approved keys'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "uninstall" -d 'Remove a package and all its grants'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "list" -d 'List the keychain\'s packages with their state'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "inspect" -d 'Show a package: manifest, pin, current digest, and each key\'s state'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "status" -d 'What needs the owner: unapproved requests, missing values, changed packages'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "config" -d 'Export or apply the keychain\'s grants as a JSON file'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "run" -d 'Verify a package and launch it with exactly its approved keys'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "key" -d 'Inside a package started by `keyward run`: print one of its granted keys'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "report" -d 'Per package and key: when it was granted, last run, last read, grants never read'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "log" -d 'Show the keychain\'s audit log, or verify its HMAC chain'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "rekey" -d 'Move the vault\'s master key to another backend (owner)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "mcp" -d 'Put MCP servers behind keyward: add, import and list client config entries'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "serve" -d 'Serve installed packages over HTTP to keychain-token holders (the gateway)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "endpoints" -d 'Show or change which endpoints of a package the gateway serves'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "completions" -d 'Print a completion script'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "digest" -d 'Print the kw1 digest of a folder (for benchmarks and other implementations)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and not __fish_seen_subcommand_from init keychain secret new install approve revoke uninstall list inspect status config run key report log rekey mcp serve endpoints completions digest help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from keychain" -f -a "create" -d 'Create a keychain and print its bearer token once, alone on stdout'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from keychain" -f -a "list" -d 'List keychains: name, tokens, secrets, creation time'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from keychain" -f -a "rm" -d 'Remove a keychain with all its secrets and tokens'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from keychain" -f -a "token" -d 'Issue a new bearer token; the old one stops working at once'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from secret" -f -a "set" -d 'Store a secret: prompted without echo, or from --stdin or --from-env'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from secret" -f -a "list" -d 'List secret names, versions and dates; never values'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from secret" -f -a "sync" -d 'Re-read secrets sourced from OpenBao and store a new version where the KV version moved'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from secret" -f -a "rm" -d 'Remove a secret'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from secret" -f -a "get" -d 'Print one secret\'s value (owner only)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "export" -d 'Print the keychain\'s packages and grants as JSON, or write them to a file'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "apply" -d 'Make the keychain match a config file (declarative, idempotent, all or nothing)'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from mcp" -f -a "add" -d 'Add a server entry that runs an installed package through keyward'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from mcp" -f -a "import" -d 'Move literal keys out of client configs into the vault, and guard the servers'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from mcp" -f -a "bridge" -d 'A stdio MCP server that forwards to a remote (HTTP) MCP server'
complete -c keyward -n "__fish_keyward_using_subcommand help; and __fish_seen_subcommand_from mcp" -f -a "list" -d 'Every server in every client config found: guarded by keyward or not, and which still hold literal keys (names only)'
