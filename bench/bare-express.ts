// The floor for the completions benchmark: Express 5 with a JSON body parser and nothing else.
import express from "express";

const app = express();
app.use(express.json({ limit: "256kb" }));
app.post("/complete/:n", (req, res) => {
  res.json({ ok: typeof req.body === "object" });
});
app.get("/", (_req, res) => {
  res.send("ok");
});
app.listen(Number(process.argv[2] ?? 0), "127.0.0.1");
