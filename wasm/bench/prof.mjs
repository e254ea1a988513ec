const t0 = performance.now();
const m = await import(process.argv[2]);
const t1 = performance.now();
const s = await m.signRequest({
  url: "https://ssm.us-east-1.amazonaws.com/",
  headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.SendCommand" },
  body: '{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-0123456789abcdef0"],"Parameters":{"commands":["uptime"]}}',
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token" },
  region: "us-east-1",
});
const t2 = performance.now();
console.log(`start ${t0.toFixed(1)} import ${(t1-t0).toFixed(1)} sign ${(t2-t1).toFixed(1)}`);
