
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'keyward' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'keyward'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'keyward' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the vault and its master key')
            [CompletionResult]::new('keychain', 'keychain', [CompletionResultType]::ParameterValue, 'Create, list and remove keychains; rotate their bearer tokens')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'Store, list, remove and read secrets')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Write a new package''s instant.package.json (never overwrites one)')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install or update a package: pin its code and approve the keys it requests')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve keys the package''s manifest requests')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke approved keys')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove a package and all its grants')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the keychain''s packages with their state')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show a package: manifest, pin, current digest, and each key''s state')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'What needs the owner: unapproved requests, missing values, changed packages')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Export or apply the keychain''s grants as a JSON file')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Verify a package and launch it with exactly its approved keys')
            [CompletionResult]::new('key', 'key', [CompletionResultType]::ParameterValue, 'Inside a package started by `keyward run`: print one of its granted keys')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Per package and key: when it was granted, last run, last read, grants never read')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the keychain''s audit log, or verify its HMAC chain')
            [CompletionResult]::new('rekey', 'rekey', [CompletionResultType]::ParameterValue, 'Move the vault''s master key to another backend (owner)')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Put MCP servers behind keyward: add, import and list client config entries')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve installed packages over HTTP to keychain-token holders (the gateway)')
            [CompletionResult]::new('endpoints', 'endpoints', [CompletionResultType]::ParameterValue, 'Show or change which endpoints of a package the gateway serves')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script')
            [CompletionResult]::new('digest', 'digest', [CompletionResultType]::ParameterValue, 'Print the kw1 digest of a folder (for benchmarks and other implementations)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;init' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the master key is kept')
            [CompletionResult]::new('--transit-key', '--transit-key', [CompletionResultType]::ParameterName, 'With `--backend openbao`: the Transit key that wraps the master key (default `keyward`; `MOUNT/NAME` for a Transit engine not mounted at `transit`)')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;keychain' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a keychain and print its bearer token once, alone on stdout')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List keychains: name, tokens, secrets, creation time')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a keychain with all its secrets and tokens')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Issue a new bearer token; the old one stops working at once')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;keychain;create' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--no-token', '--no-token', [CompletionResultType]::ParameterName, 'Create it without a token (rotate one in later)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;keychain;list' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;keychain;rm' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;keychain;token' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--rotate', '--rotate', [CompletionResultType]::ParameterName, 'Required: confirms that the current token will stop working')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;keychain;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a keychain and print its bearer token once, alone on stdout')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List keychains: name, tokens, secrets, creation time')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a keychain with all its secrets and tokens')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Issue a new bearer token; the old one stops working at once')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;keychain;help;create' {
            break
        }
        'keyward;keychain;help;list' {
            break
        }
        'keyward;keychain;help;rm' {
            break
        }
        'keyward;keychain;help;token' {
            break
        }
        'keyward;keychain;help;help' {
            break
        }
        'keyward;secret' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a secret: prompted without echo, or from --stdin or --from-env')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List secret names, versions and dates; never values')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Re-read secrets sourced from OpenBao and store a new version where the KV version moved')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a secret')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one secret''s value (owner only)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;secret;set' {
            [CompletionResult]::new('--from-env', '--from-env', [CompletionResultType]::ParameterName, 'Read the value from this environment variable of keyward''s own process')
            [CompletionResult]::new('--from-openbao', '--from-openbao', [CompletionResultType]::ParameterName, 'Read the value from OpenBao / HashiCorp Vault KV v2 (BAO_ADDR, BAO_TOKEN or an AppRole) and remember the source, so `secret sync` can follow it')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--stdin', '--stdin', [CompletionResultType]::ParameterName, 'Read the value from standard input (one trailing newline is dropped)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;secret;list' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;secret;sync' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every sourced secret of the keychain')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;secret;rm' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;secret;get' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;secret;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a secret: prompted without echo, or from --stdin or --from-env')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List secret names, versions and dates; never values')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Re-read secrets sourced from OpenBao and store a new version where the KV version moved')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a secret')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one secret''s value (owner only)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;secret;help;set' {
            break
        }
        'keyward;secret;help;list' {
            break
        }
        'keyward;secret;help;sync' {
            break
        }
        'keyward;secret;help;rm' {
            break
        }
        'keyward;secret;help;get' {
            break
        }
        'keyward;secret;help;help' {
            break
        }
        'keyward;new' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Package name, `name` or `@scope/name` [default: the folder''s name]')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'A key the package requests, e.g. STRIPE_SECRET_KEY (repeatable)')
            [CompletionResult]::new('--run', '--run', [CompletionResultType]::ParameterName, 'The command to launch: every argument after --run [default: sh ./run.sh]')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;install' {
            [CompletionResult]::new('--manifest', '--manifest', [CompletionResultType]::ParameterName, 'Registry package that declares no keys: the manifest you wrote for it')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Registry package that declares no keys: a key it needs (repeatable)')
            [CompletionResult]::new('--run', '--run', [CompletionResultType]::ParameterName, 'Registry package: the command to launch, every argument after --run (`./` is its store folder) [default: node + its bin, or its console script]')
            [CompletionResult]::new('--approve', '--approve', [CompletionResultType]::ParameterName, 'Approve this requested key (repeatable)')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--allow-build', '--allow-build', [CompletionResultType]::ParameterName, 'PyPI package: let pip build source distributions (their build scripts then run on this machine, as you); without it only wheels are installed')
            [CompletionResult]::new('--approve-all', '--approve-all', [CompletionResultType]::ParameterName, 'Approve every key the manifest requests')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask; approve only what --approve / --approve-all name')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask; approve only what --approve / --approve-all name')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;approve' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every key the manifest requests')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;revoke' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every key the manifest requests')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;uninstall' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;list' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;inspect' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'List files added, removed and changed since the pin')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;status' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit 5 when anything is pending')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Also ask OpenBao whether sourced secrets moved since their last sync')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;config' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print the keychain''s packages and grants as JSON, or write them to a file')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Make the keychain match a config file (declarative, idempotent, all or nothing)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;config;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the config to FILE (paths relative to its folder) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the config to FILE (paths relative to its folder) instead of stdout')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;config;apply' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Uninstall packages the file does not name')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;config;help' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print the keychain''s packages and grants as JSON, or write them to a file')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Make the keychain match a config file (declarative, idempotent, all or nothing)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;config;help;export' {
            break
        }
        'keyward;config;help;apply' {
            break
        }
        'keyward;config;help;help' {
            break
        }
        'keyward;run' {
            [CompletionResult]::new('--deliver', '--deliver', [CompletionResultType]::ParameterName, 'How the keys reach the package, for this run [default: the manifest''s `deliver`, else env]')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--no-mask', '--no-mask', [CompletionResultType]::ParameterName, 'Replace keyward with the package (exec): no output masking, no extra process')
            [CompletionResult]::new('--inherit-env', '--inherit-env', [CompletionResultType]::ParameterName, 'Pass the caller''s whole environment instead of the allowlist')
            [CompletionResult]::new('--rehash', '--rehash', [CompletionResultType]::ParameterName, 'Read and hash every file of the package, ignoring the verification cache')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;key' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;report' {
            [CompletionResult]::new('--package', '--package', [CompletionResultType]::ParameterName, 'Only this package')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'The period starts here: YYYY-MM-DD (UTC) or RFC 3339 [default: everything]')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;log' {
            [CompletionResult]::new('--package', '--package', [CompletionResultType]::ParameterName, 'Only entries about this package')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Only the newest N entries')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Check the HMAC chain; exit 7 naming the first bad entry')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;rekey' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where the master key is to be kept from now on')
            [CompletionResult]::new('--transit-key', '--transit-key', [CompletionResultType]::ParameterName, 'With `--backend openbao`: the Transit key that wraps the master key (default `keyward`; `MOUNT/NAME` for a Transit engine not mounted at `transit`)')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;mcp' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a server entry that runs an installed package through keyward')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Move literal keys out of client configs into the vault, and guard the servers')
            [CompletionResult]::new('bridge', 'bridge', [CompletionResultType]::ParameterValue, 'A stdio MCP server that forwards to a remote (HTTP) MCP server')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every server in every client config found: guarded by keyward or not, and which still hold literal keys (names only)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;mcp;add' {
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Which client''s config to write')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'The user''s config, the project''s (the current folder), or (Claude Code) the current folder''s entry in ~/.claude.json')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Server name in the config [default: the package''s name without its scope]')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;mcp;import' {
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Only this client''s configs (or: the client FILE belongs to)')
            [CompletionResult]::new('--pin', '--pin', [CompletionResultType]::ParameterName, 'The exact version for a server whose command floats: SERVER=VERSION (repeatable)')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and the config diff (values concealed); change nothing')
            [CompletionResult]::new('--undo', '--undo', [CompletionResultType]::ParameterName, 'Put FILE back from FILE.keyward-backup, values read from the vault')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;mcp;bridge' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The remote MCP server''s URL')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'A header to send, `NAME: VALUE`; `${KEY}` in VALUE is read from the environment (repeatable)')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'The remote transport')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;mcp;list' {
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Only this client''s configs')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit 5 while any server holds a literal key')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;mcp;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a server entry that runs an installed package through keyward')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Move literal keys out of client configs into the vault, and guard the servers')
            [CompletionResult]::new('bridge', 'bridge', [CompletionResultType]::ParameterValue, 'A stdio MCP server that forwards to a remote (HTTP) MCP server')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every server in every client config found: guarded by keyward or not, and which still hold literal keys (names only)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;mcp;help;add' {
            break
        }
        'keyward;mcp;help;import' {
            break
        }
        'keyward;mcp;help;bridge' {
            break
        }
        'keyward;mcp;help;list' {
            break
        }
        'keyward;mcp;help;help' {
            break
        }
        'keyward;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (repeatable) [default: 127.0.0.1:7777 and [::1]:7777]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'PEM certificate chain: serve HTTPS (needed for a non-loopback address)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'PEM private key of --tls-cert')
            [CompletionResult]::new('--max-concurrent', '--max-concurrent', [CompletionResultType]::ParameterName, 'Requests served at once, in all [default: 256]')
            [CompletionResult]::new('--max-per-package', '--max-per-package', [CompletionResultType]::ParameterName, 'Requests served at once, per package [default: 64]')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest request body, in bytes [default: 1 MiB]')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;endpoints' {
            [CompletionResult]::new('--enable', '--enable', [CompletionResultType]::ParameterName, 'Enable an endpoint, "METHOD /path" (repeatable)')
            [CompletionResult]::new('--disable', '--disable', [CompletionResultType]::ParameterName, 'Disable an endpoint, "METHOD /path" (repeatable)')
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Enable every endpoint (the default)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;completions' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;digest' {
            [CompletionResult]::new('--vault', '--vault', [CompletionResultType]::ParameterName, 'Vault file [default: $XDG_DATA_HOME/keyward/vault.db]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--keychain', '--keychain', [CompletionResultType]::ParameterName, 'Keychain to act on [default: default, or the token''s keychain]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (errors too, on stderr)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with exit 5 when input would be needed')
            [CompletionResult]::new('--accept-rollback', '--accept-rollback', [CompletionResultType]::ParameterName, 'Open a vault the OS keyring says is older than the last one it saw (a restored backup), and record it as current')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data asked for')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain what keyward does (names and ids only, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the vault and its master key')
            [CompletionResult]::new('keychain', 'keychain', [CompletionResultType]::ParameterValue, 'Create, list and remove keychains; rotate their bearer tokens')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'Store, list, remove and read secrets')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Write a new package''s instant.package.json (never overwrites one)')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install or update a package: pin its code and approve the keys it requests')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve keys the package''s manifest requests')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke approved keys')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove a package and all its grants')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the keychain''s packages with their state')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show a package: manifest, pin, current digest, and each key''s state')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'What needs the owner: unapproved requests, missing values, changed packages')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Export or apply the keychain''s grants as a JSON file')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Verify a package and launch it with exactly its approved keys')
            [CompletionResult]::new('key', 'key', [CompletionResultType]::ParameterValue, 'Inside a package started by `keyward run`: print one of its granted keys')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Per package and key: when it was granted, last run, last read, grants never read')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the keychain''s audit log, or verify its HMAC chain')
            [CompletionResult]::new('rekey', 'rekey', [CompletionResultType]::ParameterValue, 'Move the vault''s master key to another backend (owner)')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Put MCP servers behind keyward: add, import and list client config entries')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve installed packages over HTTP to keychain-token holders (the gateway)')
            [CompletionResult]::new('endpoints', 'endpoints', [CompletionResultType]::ParameterValue, 'Show or change which endpoints of a package the gateway serves')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script')
            [CompletionResult]::new('digest', 'digest', [CompletionResultType]::ParameterValue, 'Print the kw1 digest of a folder (for benchmarks and other implementations)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;help;init' {
            break
        }
        'keyward;help;keychain' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a keychain and print its bearer token once, alone on stdout')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List keychains: name, tokens, secrets, creation time')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a keychain with all its secrets and tokens')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Issue a new bearer token; the old one stops working at once')
            break
        }
        'keyward;help;keychain;create' {
            break
        }
        'keyward;help;keychain;list' {
            break
        }
        'keyward;help;keychain;rm' {
            break
        }
        'keyward;help;keychain;token' {
            break
        }
        'keyward;help;secret' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a secret: prompted without echo, or from --stdin or --from-env')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List secret names, versions and dates; never values')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Re-read secrets sourced from OpenBao and store a new version where the KV version moved')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a secret')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one secret''s value (owner only)')
            break
        }
        'keyward;help;secret;set' {
            break
        }
        'keyward;help;secret;list' {
            break
        }
        'keyward;help;secret;sync' {
            break
        }
        'keyward;help;secret;rm' {
            break
        }
        'keyward;help;secret;get' {
            break
        }
        'keyward;help;new' {
            break
        }
        'keyward;help;install' {
            break
        }
        'keyward;help;approve' {
            break
        }
        'keyward;help;revoke' {
            break
        }
        'keyward;help;uninstall' {
            break
        }
        'keyward;help;list' {
            break
        }
        'keyward;help;inspect' {
            break
        }
        'keyward;help;status' {
            break
        }
        'keyward;help;config' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print the keychain''s packages and grants as JSON, or write them to a file')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Make the keychain match a config file (declarative, idempotent, all or nothing)')
            break
        }
        'keyward;help;config;export' {
            break
        }
        'keyward;help;config;apply' {
            break
        }
        'keyward;help;run' {
            break
        }
        'keyward;help;key' {
            break
        }
        'keyward;help;report' {
            break
        }
        'keyward;help;log' {
            break
        }
        'keyward;help;rekey' {
            break
        }
        'keyward;help;mcp' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a server entry that runs an installed package through keyward')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Move literal keys out of client configs into the vault, and guard the servers')
            [CompletionResult]::new('bridge', 'bridge', [CompletionResultType]::ParameterValue, 'A stdio MCP server that forwards to a remote (HTTP) MCP server')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every server in every client config found: guarded by keyward or not, and which still hold literal keys (names only)')
            break
        }
        'keyward;help;mcp;add' {
            break
        }
        'keyward;help;mcp;import' {
            break
        }
        'keyward;help;mcp;bridge' {
            break
        }
        'keyward;help;mcp;list' {
            break
        }
        'keyward;help;serve' {
            break
        }
        'keyward;help;endpoints' {
            break
        }
        'keyward;help;completions' {
            break
        }
        'keyward;help;digest' {
            break
        }
        'keyward;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
