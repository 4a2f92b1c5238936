// Package python is the packager's backend for Python: the dependencies of
// pyproject.toml's [project] table (PEP 621) or requirements.txt, installed
// by pip into the workspace's virtual environment, which is created with
// the system's python3 -m venv (Debian's python3-venv) on first use. The
// environment is VIRTUAL_ENV when the workspace's environment names one,
// else .venv in the workspace; pid1 puts its bin first on the PATH of the
// workspace's programs, so python3 there is the one that sees what was
// installed.
//
// pip installs and uninstalls; the backend then records the requirement in
// the spec file itself (pip has no such command), only once pip has
// succeeded, keeping the rest of the file as it was. Python has no lock
// file: the lock file listing is what pip lists as installed.
//
// The index is the one pip is configured with (`pip config list`:
// PIP_INDEX_URL, pip.conf), https://pypi.org/simple by default. Info reads
// the index's JSON API (/pypi/NAME/json) where it has one, otherwise the
// simple index (PEP 503 HTML or PEP 691 JSON): the newest version's
// files, and the core metadata of its wheel. PyPI has no search API (its
// XML-RPC search was switched off in 2020), so search lists the names the
// configured index's simple page holds that contain the query, the ones
// that begin with it first; the result says so.
//
// Guess reads the import statements of the workspace's .py files and lists
// the distributions that provide the modules nothing importable provides
// (the interpreter itself says what is in its standard library and what
// the virtual environment can import), through a small table of modules
// whose distribution is named otherwise (bs4 is beautifulsoup4) and the
// module's own name for the rest.
//
// The Backend holds no state and is safe for concurrent use.
package python
