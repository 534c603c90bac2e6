
use builtin;
use str;

set edit:completion:arg-completer[keyward] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'keyward'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'keyward'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create the vault and its master key'
            cand keychain 'Create, list and remove keychains; rotate their bearer tokens'
            cand secret 'Store, list, remove and read secrets'
            cand new 'Write a new package''s instant.package.json (never overwrites one)'
            cand install 'Install or update a package: pin its code and approve the keys it requests'
            cand approve 'Approve keys the package''s manifest requests'
            cand revoke 'Revoke approved keys'
            cand uninstall 'Remove a package and all its grants'
            cand list 'List the keychain''s packages with their state'
            cand inspect 'Show a package: manifest, pin, current digest, and each key''s state'
            cand status 'What needs the owner: unapproved requests, missing values, changed packages'
            cand config 'Export or apply the keychain''s grants as a JSON file'
            cand run 'Verify a package and launch it with exactly its approved keys'
            cand key 'Inside a package started by `keyward run`: print one of its granted keys'
            cand report 'Per package and key: when it was granted, last run, last read, grants never read'
            cand log 'Show the keychain''s audit log, or verify its HMAC chain'
            cand rekey 'Move the vault''s master key to another backend (owner)'
            cand mcp 'Put MCP servers behind keyward: add, import and list client config entries'
            cand serve 'Serve installed packages over HTTP to keychain-token holders (the gateway)'
            cand endpoints 'Show or change which endpoints of a package the gateway serves'
            cand completions 'Print a completion script'
            cand digest 'Print the kw1 digest of a folder (for benchmarks and other implementations)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;init'= {
            cand --backend 'Where the master key is kept'
            cand --transit-key 'With `--backend openbao`: the Transit key that wraps the master key (default `keyward`; `MOUNT/NAME` for a Transit engine not mounted at `transit`)'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;keychain'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a keychain and print its bearer token once, alone on stdout'
            cand list 'List keychains: name, tokens, secrets, creation time'
            cand rm 'Remove a keychain with all its secrets and tokens'
            cand token 'Issue a new bearer token; the old one stops working at once'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;keychain;create'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --no-token 'Create it without a token (rotate one in later)'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;keychain;list'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;keychain;rm'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;keychain;token'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --rotate 'Required: confirms that the current token will stop working'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;keychain;help'= {
            cand create 'Create a keychain and print its bearer token once, alone on stdout'
            cand list 'List keychains: name, tokens, secrets, creation time'
            cand rm 'Remove a keychain with all its secrets and tokens'
            cand token 'Issue a new bearer token; the old one stops working at once'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;keychain;help;create'= {
        }
        &'keyward;keychain;help;list'= {
        }
        &'keyward;keychain;help;rm'= {
        }
        &'keyward;keychain;help;token'= {
        }
        &'keyward;keychain;help;help'= {
        }
        &'keyward;secret'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand set 'Store a secret: prompted without echo, or from --stdin or --from-env'
            cand list 'List secret names, versions and dates; never values'
            cand sync 'Re-read secrets sourced from OpenBao and store a new version where the KV version moved'
            cand rm 'Remove a secret'
            cand get 'Print one secret''s value (owner only)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;secret;set'= {
            cand --from-env 'Read the value from this environment variable of keyward''s own process'
            cand --from-openbao 'Read the value from OpenBao / HashiCorp Vault KV v2 (BAO_ADDR, BAO_TOKEN or an AppRole) and remember the source, so `secret sync` can follow it'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --stdin 'Read the value from standard input (one trailing newline is dropped)'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;secret;list'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;secret;sync'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --all 'Every sourced secret of the keychain'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;secret;rm'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;secret;get'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;secret;help'= {
            cand set 'Store a secret: prompted without echo, or from --stdin or --from-env'
            cand list 'List secret names, versions and dates; never values'
            cand sync 'Re-read secrets sourced from OpenBao and store a new version where the KV version moved'
            cand rm 'Remove a secret'
            cand get 'Print one secret''s value (owner only)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;secret;help;set'= {
        }
        &'keyward;secret;help;list'= {
        }
        &'keyward;secret;help;sync'= {
        }
        &'keyward;secret;help;rm'= {
        }
        &'keyward;secret;help;get'= {
        }
        &'keyward;secret;help;help'= {
        }
        &'keyward;new'= {
            cand --name 'Package name, `name` or `@scope/name` [default: the folder''s name]'
            cand --key 'A key the package requests, e.g. STRIPE_SECRET_KEY (repeatable)'
            cand --run 'The command to launch: every argument after --run [default: sh ./run.sh]'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;install'= {
            cand --manifest 'Registry package that declares no keys: the manifest you wrote for it'
            cand --key 'Registry package that declares no keys: a key it needs (repeatable)'
            cand --run 'Registry package: the command to launch, every argument after --run (`./` is its store folder) [default: node + its bin, or its console script]'
            cand --approve 'Approve this requested key (repeatable)'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --allow-build 'PyPI package: let pip build source distributions (their build scripts then run on this machine, as you); without it only wheels are installed'
            cand --approve-all 'Approve every key the manifest requests'
            cand -y 'Do not ask; approve only what --approve / --approve-all name'
            cand --yes 'Do not ask; approve only what --approve / --approve-all name'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;approve'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --all 'Every key the manifest requests'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;revoke'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --all 'Every key the manifest requests'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;uninstall'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;list'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;inspect'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --diff 'List files added, removed and changed since the pin'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;status'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --check 'Exit 5 when anything is pending'
            cand --remote 'Also ask OpenBao whether sourced secrets moved since their last sync'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;config'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand export 'Print the keychain''s packages and grants as JSON, or write them to a file'
            cand apply 'Make the keychain match a config file (declarative, idempotent, all or nothing)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;config;export'= {
            cand -o 'Write the config to FILE (paths relative to its folder) instead of stdout'
            cand --output 'Write the config to FILE (paths relative to its folder) instead of stdout'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;config;apply'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --prune 'Uninstall packages the file does not name'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;config;help'= {
            cand export 'Print the keychain''s packages and grants as JSON, or write them to a file'
            cand apply 'Make the keychain match a config file (declarative, idempotent, all or nothing)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;config;help;export'= {
        }
        &'keyward;config;help;apply'= {
        }
        &'keyward;config;help;help'= {
        }
        &'keyward;run'= {
            cand --deliver 'How the keys reach the package, for this run [default: the manifest''s `deliver`, else env]'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --no-mask 'Replace keyward with the package (exec): no output masking, no extra process'
            cand --inherit-env 'Pass the caller''s whole environment instead of the allowlist'
            cand --rehash 'Read and hash every file of the package, ignoring the verification cache'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;key'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;report'= {
            cand --package 'Only this package'
            cand --since 'The period starts here: YYYY-MM-DD (UTC) or RFC 3339 [default: everything]'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;log'= {
            cand --package 'Only entries about this package'
            cand --limit 'Only the newest N entries'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --verify 'Check the HMAC chain; exit 7 naming the first bad entry'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;rekey'= {
            cand --backend 'Where the master key is to be kept from now on'
            cand --transit-key 'With `--backend openbao`: the Transit key that wraps the master key (default `keyward`; `MOUNT/NAME` for a Transit engine not mounted at `transit`)'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;mcp'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Add a server entry that runs an installed package through keyward'
            cand import 'Move literal keys out of client configs into the vault, and guard the servers'
            cand bridge 'A stdio MCP server that forwards to a remote (HTTP) MCP server'
            cand list 'Every server in every client config found: guarded by keyward or not, and which still hold literal keys (names only)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;mcp;add'= {
            cand --client 'Which client''s config to write'
            cand --scope 'The user''s config, the project''s (the current folder), or (Claude Code) the current folder''s entry in ~/.claude.json'
            cand --name 'Server name in the config [default: the package''s name without its scope]'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;mcp;import'= {
            cand --client 'Only this client''s configs (or: the client FILE belongs to)'
            cand --pin 'The exact version for a server whose command floats: SERVER=VERSION (repeatable)'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --dry-run 'Print the plan and the config diff (values concealed); change nothing'
            cand --undo 'Put FILE back from FILE.keyward-backup, values read from the vault'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;mcp;bridge'= {
            cand --url 'The remote MCP server''s URL'
            cand --header 'A header to send, `NAME: VALUE`; `${KEY}` in VALUE is read from the environment (repeatable)'
            cand --transport 'The remote transport'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;mcp;list'= {
            cand --client 'Only this client''s configs'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --check 'Exit 5 while any server holds a literal key'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;mcp;help'= {
            cand add 'Add a server entry that runs an installed package through keyward'
            cand import 'Move literal keys out of client configs into the vault, and guard the servers'
            cand bridge 'A stdio MCP server that forwards to a remote (HTTP) MCP server'
            cand list 'Every server in every client config found: guarded by keyward or not, and which still hold literal keys (names only)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;mcp;help;add'= {
        }
        &'keyward;mcp;help;import'= {
        }
        &'keyward;mcp;help;bridge'= {
        }
        &'keyward;mcp;help;list'= {
        }
        &'keyward;mcp;help;help'= {
        }
        &'keyward;serve'= {
            cand --listen 'Address to listen on (repeatable) [default: 127.0.0.1:7777 and [::1]:7777]'
            cand --tls-cert 'PEM certificate chain: serve HTTPS (needed for a non-loopback address)'
            cand --tls-key 'PEM private key of --tls-cert'
            cand --max-concurrent 'Requests served at once, in all [default: 256]'
            cand --max-per-package 'Requests served at once, per package [default: 64]'
            cand --max-body 'Largest request body, in bytes [default: 1 MiB]'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;endpoints'= {
            cand --enable 'Enable an endpoint, "METHOD /path" (repeatable)'
            cand --disable 'Disable an endpoint, "METHOD /path" (repeatable)'
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --all 'Enable every endpoint (the default)'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;completions'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;digest'= {
            cand --vault 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]'
            cand -k 'Keychain to act on [default: default, or the token''s keychain]'
            cand --keychain 'Keychain to act on [default: default, or the token''s keychain]'
            cand --color 'When to use colour'
            cand --json 'Print one JSON document instead of text (errors too, on stderr)'
            cand --no-input 'Never prompt; fail with exit 5 when input would be needed'
            cand --accept-rollback 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current'
            cand -q 'Print only errors and the data asked for'
            cand --quiet 'Print only errors and the data asked for'
            cand -v 'Explain what keyward does (names and ids only, never values)'
            cand --verbose 'Explain what keyward does (names and ids only, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;help'= {
            cand init 'Create the vault and its master key'
            cand keychain 'Create, list and remove keychains; rotate their bearer tokens'
            cand secret 'Store, list, remove and read secrets'
            cand new 'Write a new package''s instant.package.json (never overwrites one)'
            cand install 'Install or update a package: pin its code and approve the keys it requests'
            cand approve 'Approve keys the package''s manifest requests'
            cand revoke 'Revoke approved keys'
            cand uninstall 'Remove a package and all its grants'
            cand list 'List the keychain''s packages with their state'
            cand inspect 'Show a package: manifest, pin, current digest, and each key''s state'
            cand status 'What needs the owner: unapproved requests, missing values, changed packages'
            cand config 'Export or apply the keychain''s grants as a JSON file'
            cand run 'Verify a package and launch it with exactly its approved keys'
            cand key 'Inside a package started by `keyward run`: print one of its granted keys'
            cand report 'Per package and key: when it was granted, last run, last read, grants never read'
            cand log 'Show the keychain''s audit log, or verify its HMAC chain'
            cand rekey 'Move the vault''s master key to another backend (owner)'
            cand mcp 'Put MCP servers behind keyward: add, import and list client config entries'
            cand serve 'Serve installed packages over HTTP to keychain-token holders (the gateway)'
            cand endpoints 'Show or change which endpoints of a package the gateway serves'
            cand completions 'Print a completion script'
            cand digest 'Print the kw1 digest of a folder (for benchmarks and other implementations)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;help;init'= {
        }
        &'keyward;help;keychain'= {
            cand create 'Create a keychain and print its bearer token once, alone on stdout'
            cand list 'List keychains: name, tokens, secrets, creation time'
            cand rm 'Remove a keychain with all its secrets and tokens'
            cand token 'Issue a new bearer token; the old one stops working at once'
        }
        &'keyward;help;keychain;create'= {
        }
        &'keyward;help;keychain;list'= {
        }
        &'keyward;help;keychain;rm'= {
        }
        &'keyward;help;keychain;token'= {
        }
        &'keyward;help;secret'= {
            cand set 'Store a secret: prompted without echo, or from --stdin or --from-env'
            cand list 'List secret names, versions and dates; never values'
            cand sync 'Re-read secrets sourced from OpenBao and store a new version where the KV version moved'
            cand rm 'Remove a secret'
            cand get 'Print one secret''s value (owner only)'
        }
        &'keyward;help;secret;set'= {
        }
        &'keyward;help;secret;list'= {
        }
        &'keyward;help;secret;sync'= {
        }
        &'keyward;help;secret;rm'= {
        }
        &'keyward;help;secret;get'= {
        }
        &'keyward;help;new'= {
        }
        &'keyward;help;install'= {
        }
        &'keyward;help;approve'= {
        }
        &'keyward;help;revoke'= {
        }
        &'keyward;help;uninstall'= {
        }
        &'keyward;help;list'= {
        }
        &'keyward;help;inspect'= {
        }
        &'keyward;help;status'= {
        }
        &'keyward;help;config'= {
            cand export 'Print the keychain''s packages and grants as JSON, or write them to a file'
            cand apply 'Make the keychain match a config file (declarative, idempotent, all or nothing)'
        }
        &'keyward;help;config;export'= {
        }
        &'keyward;help;config;apply'= {
        }
        &'keyward;help;run'= {
        }
        &'keyward;help;key'= {
        }
        &'keyward;help;report'= {
        }
        &'keyward;help;log'= {
        }
        &'keyward;help;rekey'= {
        }
        &'keyward;help;mcp'= {
            cand add 'Add a server entry that runs an installed package through keyward'
            cand import 'Move literal keys out of client configs into the vault, and guard the servers'
            cand bridge 'A stdio MCP server that forwards to a remote (HTTP) MCP server'
            cand list 'Every server in every client config found: guarded by keyward or not, and which still hold literal keys (names only)'
        }
        &'keyward;help;mcp;add'= {
        }
        &'keyward;help;mcp;import'= {
        }
        &'keyward;help;mcp;bridge'= {
        }
        &'keyward;help;mcp;list'= {
        }
        &'keyward;help;serve'= {
        }
        &'keyward;help;endpoints'= {
        }
        &'keyward;help;completions'= {
        }
        &'keyward;help;digest'= {
        }
        &'keyward;help;help'= {
        }
    ]
    $completions[$command]
}
