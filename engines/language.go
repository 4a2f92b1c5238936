package engines

// Language is what a client may know about a runner.
type Language struct {
	ID      string // what a Request's Language names
	Name    string // for people: "Python 3"
	Image   string // where the toolchain comes from (ATO: a Docker image)
	Version string // which versions the runner expects (not a guarantee)
	URL     string // the language's home page
	SBCS    bool   // byte counters should count every character as one byte
	SEClass string // the id StackExchange highlights it as; "" for none
	// HelloWorld is a program and what it prints; nil when there is none.
	HelloWorld *Example
	// Available is false when the toolchain is not installed here.
	Available bool
	// File is the code's file name and Command how it is run, for
	// people ("code.py", "/usr/bin/python3 code.py").
	File, Command string
}

// Example is a program and its expected output.
type Example struct {
	Code, Output string
}
