// Reference receiver for the webhook benchmark: Node's http server with whatsapp-api-js 6.3
// (node-http middleware), which verifies X-Hub-Signature-256 and answers 200. It queues nothing.
import { createServer } from "node:http";
import { WhatsAppAPI } from "whatsapp-api-js/middleware/node-http";
import { NodeNext } from "whatsapp-api-js/setup/node";

const port = Number(process.env.PORT ?? 18180);
const Whatsapp = new WhatsAppAPI(NodeNext({
  token: "unused-by-the-receiver",
  appSecret: process.env.APP_SECRET,
  webhookVerifyToken: "bench",
}));
Whatsapp.on.message = () => {};
Whatsapp.on.status = () => {};

createServer(async (req, res) => {
  if (req.method === "POST") {
    try {
      res.statusCode = await Whatsapp.handle_post(req);
    } catch (e) {
      res.statusCode = typeof e === "number" ? e : 500;
    }
  } else {
    res.statusCode = 200;
  }
  res.end();
}).listen(port, "127.0.0.1", () => console.log(`node receiver on ${port}`));
