// The JavaScript example of ATO's API documentation, unchanged but for
// the URL (ATO_URL, pid1's /api/v0/ws/execute) and for importing msgpack
// and running it. Node 20 needs --experimental-websocket for the global
// WebSocket. Driven by engines/ato's TestNodeExample; prints `stdout: 42`.
import * as msgpack from "@msgpack/msgpack";

// get `msgpack` from https://www.npmjs.com/package/@msgpack/msgpack
// use NPM or something

function ato_run()
{
	let socket = new WebSocket(process.env.ATO_URL);
	socket.onopen = () => socket.send(msgpack.encode({
		language: "c_gcc", // get this from https://github.com/attempt-this-online/attempt-this-online/tree/main/runners
		code: 'main(){printf("%d",a);}',
		input: "",
		options: ["-Da=42"],
		arguments: [],
		timeout: 60,
	}));
	socket.onmessage = async event => {
		let response = await msgpack.decodeAsync(event.data.stream());
		console.log("stdout:", new TextDecoder().decode(response.stdout));
	}
}

ato_run();
